import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../generator/cli/main.js';
import { tempDir } from './temp-dir.js';
import type { Io } from '../../generator/cli/io.js';

/** The project itself: its build/ and its own configuration files (renovate.json, .gitlab-ci.yml). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The installed command as package.json's bin names it (the bundle `npm run build` makes): what tests start as a process. */
export const CLI_BIN = path.join(PROJECT_ROOT, (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['ozg-gitops']!);

/**
 * A frozen copy of the sample fleet (inputs and rendered trees). Tests read this, never the
 * repository's own tenants/, environments/ and dist/: those belong to the platform team and change
 * with every onboarding.
 */
export const SAMPLE_FLEET = path.join(PROJECT_ROOT, 'test/fixtures/sample-fleet');

export { tempDir } from './temp-dir.js';

/** A copy of the sample fleet's inputs (or of a fixture folder) in a temporary folder. */
export function copyFleet(from = SAMPLE_FLEET): string {
  const dir = tempDir();
  for (const folder of ['environments', 'tenants']) cpSync(path.join(from, folder), path.join(dir, folder), { recursive: true });
  return dir;
}

export function write(root: string, file: string, text: string | Uint8Array): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

export function read(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

export function edit(root: string, file: string, change: (text: string) => string): void {
  const before = read(root, file);
  const after = change(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  write(root, file, after);
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI entry in-process and captures what it prints. */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  const code = await runCli(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Every file under `dir` with its bytes, for before/after comparisons. */
export function snapshotTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = path.join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(dir, full), readFileSync(full, 'latin1'));
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return files;
}

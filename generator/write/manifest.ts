import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { directorySource, type InputSource } from '../load/input-source.js';
import { writeAtomically } from './durable.js';
import { acquireLock } from './lock.js';
import { listFiles } from './write-tree.js';

/**
 * What the last successful generate wrote, so that a generate whose inputs have not changed can
 * stop early: a fingerprint of everything that decides the output (every input file's bytes, the
 * date expiry rules use, the output folders, the generator's own code) and the size and mtime of
 * every file it left. A file edited, added or removed by hand since then fails the comparison and
 * the run renders in full. `generate --check` never takes this shortcut.
 */
interface Manifest {
  readonly fingerprint: string;
  /** Output folder → file → [size, mtimeMs]. */
  readonly trees: Record<string, Record<string, [number, number]>>;
}

/**
 * Where the manifest lives: a cache folder, never the repository (it must not make a working tree
 * dirty): node_modules/.cache/ozg-gitops next to the output when there is one, else the temp folder.
 */
function manifestPath(workDir: string, dirs: readonly string[]): string {
  const key = createHash('sha256').update(dirs.join('\0')).digest('hex').slice(0, 16);
  const modules = path.join(workDir, 'node_modules');
  const folder = existsSync(modules) ? path.join(modules, '.cache', 'ozg-gitops') : path.join(tmpdir(), 'ozg-gitops-cache');
  return path.join(folder, `manifest-${key}.json`);
}

export async function fingerprintInputs(source: InputSource, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(generatorCodeHash());
  for (const value of extra) hash.update(`\0${value}`);
  for (const file of await source.listInputFiles()) {
    hash.update(`\0${file}\0`);
    hash.update(await source.read(file));
  }
  return hash.digest('hex');
}

let codeHash: string | undefined;
/** The generator's own compiled code: a new version of it renders anew. */
function generatorCodeHash(): string {
  if (codeHash) return codeHash;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) hash.update(readFileSync(full));
    }
  };
  walk(root);
  codeHash = hash.digest('hex');
  return codeHash;
}

/** The file count when the last generate had this fingerprint and its files are all still exactly in place. */
async function unchangedSinceLastRun(workDir: string, fingerprint: string, dirs: readonly string[]): Promise<number | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath(workDir, dirs), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.fingerprint !== fingerprint) return undefined;
  let files = 0;
  for (const dir of dirs) {
    const recorded = manifest.trees[dir];
    if (!recorded) return undefined;
    const present = await listFiles(dir);
    if (present.size !== Object.keys(recorded).length) return undefined;
    for (const file of present) {
      const expected = recorded[file];
      if (!expected) return undefined;
      const stat = statSync(path.join(dir, file));
      if (stat.size !== expected[0] || stat.mtimeMs !== expected[1]) return undefined;
    }
    files += present.size;
  }
  return files;
}

export async function recordRun(workDir: string, fingerprint: string, dirs: readonly string[]): Promise<void> {
  const trees: Manifest['trees'] = {};
  for (const dir of dirs) {
    const entries: Record<string, [number, number]> = {};
    for (const file of [...(await listFiles(dir))].sort()) {
      const stat = statSync(path.join(dir, file));
      entries[file] = [stat.size, stat.mtimeMs];
    }
    trees[dir] = entries;
  }
  const target = manifestPath(workDir, dirs);
  await mkdir(path.dirname(target), { recursive: true });
  writeAtomically(target, JSON.stringify({ fingerprint, trees } satisfies Manifest));
}

export interface RunIdentity {
  readonly root: string;
  readonly outDir: string;
  readonly bootstrapDir: string;
  readonly allowMassRemoval?: boolean;
  readonly today: string;
}

/** The fingerprint of a full generate: the inputs under `root` and everything else that decides its output. */
export async function generateFingerprint(o: RunIdentity): Promise<string> {
  return fingerprintInputs(directorySource(o.root), [o.today, o.outDir, o.bootstrapDir, String(o.allowMassRemoval ?? false)]);
}

/**
 * The quick answer to a generate whose inputs and output are exactly as the last one left them
 * (the CLI asks before it loads the render stack; generate() itself always renders):
 * the number of files, or undefined when a full run is needed. Loads none of the render stack.
 */
export async function unchangedGenerate(o: RunIdentity): Promise<number | undefined> {
  const workDir = path.dirname(o.outDir);
  const release = acquireLock(workDir);
  try {
    if (existsSync(path.join(workDir, '.ozg-gitops-journal.json'))) return undefined;
    return await unchangedSinceLastRun(workDir, await generateFingerprint(o), [o.outDir, o.bootstrapDir, path.join(path.resolve(o.root), 'schemas')]);
  } finally {
    release();
  }
}

import path from 'node:path';
import type { Command } from 'commander';
import { hasErrors } from '../diagnostics.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { existingDir } from './options.js';

export interface ValidateOptions {
  readonly root: string;
}

export async function runValidate(options: ValidateOptions, io: Io): Promise<number> {
  const [{ directorySource }, { loadFleet, today }] = await Promise.all([import('../load/input-source.js'), import('../pipeline.js')]);
  const { fleet, diagnostics } = await loadFleet(directorySource(options.root), today());
  printDiagnostics(io, diagnostics);
  if (hasErrors(diagnostics) || !fleet) return EXIT.invalid;
  const kommunen = new Set(fleet.environments.flatMap((e) => e.kommunen.map((k) => k.id))).size;
  io.out(`ok: ${kommunen} Kommunen in ${fleet.environments.length} environments (${fleet.environments.map((e) => `${e.name}: ${e.kommunen.length}`).join(', ')})`);
  return EXIT.ok;
}

export function registerValidate(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('validate')
    .description('check environments/ and tenants/ and print every problem with its file, line and column')
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .action((opts: { root: string }) => run(runValidate({ root: path.resolve(opts.root) }, io)));
}

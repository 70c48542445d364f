import path from 'node:path';
import { Option, type Command } from 'commander';
import { today } from '../clock.js';
import type { PlanFormat } from '../plan/format.js';
import { EXIT, type Io } from './io.js';
import { existingDir, text } from './options.js';

export interface PlanCliOptions {
  readonly root: string;
  readonly base?: string;
  readonly format: PlanFormat;
  readonly exitCode?: boolean;
  readonly allowMassRemoval?: boolean;
  readonly full?: boolean;
}

export async function runPlan(options: PlanCliOptions, io: Io): Promise<number> {
  const [{ planChange }, { formatPlan }] = await Promise.all([import('../plan/plan.js'), import('../plan/format.js')]);
  const plan = await planChange({ root: options.root, base: options.base, allowMassRemoval: options.allowMassRemoval, full: options.full, today: today() });
  io.out(formatPlan(plan, options.format).trimEnd());
  if (plan.guards.some((d) => d.severity === 'error')) return EXIT.invalid;
  if (options.exitCode && plan.hasChanges) return EXIT.differences;
  return EXIT.ok;
}

export function registerPlan(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('plan')
    .description('what a change does: per environment and layer, grouped; rollout time; Argo CD capacity; removal guards')
    .option('--root <dir>', 'folder holding environments/ and tenants/ (inside a git repository)', existingDir, '.')
    .option('--base <ref>', 'git ref to compare with (default: merge base with the default branch)', text)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--exit-code', 'exit 3 when there are changes')
    .option('--allow-mass-removal', 'let the change remove more than the environment\'s share of Applications')
    .option('--full', 'render both trees in full instead of only what the change touches (slower; the reference)')
    .action((opts: { root: string; base?: string; format: PlanFormat; exitCode?: boolean; allowMassRemoval?: boolean; full?: boolean }) =>
      run(runPlan({ ...opts, root: path.resolve(opts.root) }, io)),
    );
}

import path from 'node:path';
import type { Command } from 'commander';
import { hasErrors } from '../diagnostics.js';
import { today } from '../clock.js';
import type { GenerateOptions, GenerateResult } from '../generate.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { existingDir, integer, nameList, outputPath, requireEnvironments } from './options.js';

export interface GenerateCliOptions {
  readonly root: string;
  readonly out?: string;
  readonly bootstrapOut?: string;
  readonly env?: string[];
  readonly check?: boolean;
  readonly allowMassRemoval?: boolean;
  readonly jobs?: number;
}

export async function runGenerate(options: GenerateCliOptions, io: Io): Promise<number> {
  if (options.env) requireEnvironments(options.root, '--env', options.env);
  if (options.check || options.env) return report(await (await import('../generate.js')).generate(generateOptions(options)), options, io);
  const [{ prepareGenerate }, { acquireLock }] = await Promise.all([import('../write/run-record.js'), import('../write/lock.js')]);
  const outDir = path.resolve(options.out ?? path.join(options.root, 'dist'));
  const bootstrapDir = path.resolve(options.bootstrapOut ?? path.join(options.root, 'argocd'));
  // One lock from the no-op check to the end of the write: the render uses the inputs as read here.
  const release = acquireLock(path.dirname(outDir));
  try {
    const prepared = await prepareGenerate({ root: options.root, outDir, bootstrapDir, allowMassRemoval: options.allowMassRemoval, today: today() });
    if (prepared.unchanged !== undefined) {
      io.out(`generated: 0 written, 0 removed, ${prepared.unchanged} unchanged (inputs and output as the last run left them; nothing rendered)`);
      return EXIT.ok;
    }
    // Loaded on use: the render stack (cdk8s, schemas) takes a second to load, which a no-op run should not pay.
    const { generate } = await import('../generate.js');
    return report(await generate({ ...generateOptions(options), prepared }), options, io);
  } finally {
    release();
  }
}

function generateOptions(options: GenerateCliOptions): GenerateOptions {
  return {
    root: options.root,
    outDir: options.out,
    bootstrapDir: options.bootstrapOut,
    envs: options.env,
    check: options.check,
    allowMassRemoval: options.allowMassRemoval,
    jobs: options.jobs,
    today: today(),
  };
}

function report(result: GenerateResult, options: GenerateCliOptions, io: Io): number {
  printDiagnostics(io, result.diagnostics, 20);
  if (hasErrors(result.diagnostics) || !result.changes) {
    io.err('nothing was written');
    return EXIT.invalid;
  }
  const { written, removed, unchanged } = result.changes;
  if (options.check) {
    if (written.length === 0 && removed.length === 0) {
      io.out(`ok: ${unchanged} files match the inputs`);
      return EXIT.ok;
    }
    for (const f of written) io.out(`differs: ${f}`);
    for (const f of removed) io.out(`not rendered any more: ${f}`);
    io.err(`${written.length + removed.length} file(s) differ from what the inputs render to; run \`ozg-gitops generate\``);
    return EXIT.differences;
  }
  io.out(`generated: ${written.length} written, ${removed.length} removed, ${unchanged} unchanged`);
  return EXIT.ok;
}

export function registerGenerate(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('generate')
    .description('render every layer into dist/ and the Argo CD bootstrap into argocd/')
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--out <dir>', 'where the GitOps tree goes (default: <root>/dist)', outputPath)
    .option('--bootstrap-out <dir>', 'where the Argo CD bootstrap goes (default: <root>/argocd)', outputPath)
    .option('--env <names...>', 'render only these environments into dist/ (comma-separated or repeated)', nameList('environment'))
    .option('--check', 'write nothing; exit 3 and list the files that differ')
    .option('--allow-mass-removal', 'let the change remove more than the environment\'s share of Applications')
    .option('--jobs <n>', 'worker threads rendering Kommunen (default 1: on the main thread)', integer(1, 64))
    .action((opts: { root: string; out?: string; bootstrapOut?: string; env?: string[]; check?: boolean; allowMassRemoval?: boolean; jobs?: number }) => {
      run(runGenerate({ ...opts, root: path.resolve(opts.root) }, io));
    });
}

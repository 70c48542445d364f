#!/usr/bin/env node
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { EXIT, printDiagnostics, processIo, type Io } from './io.js';
import { registerGenerate } from './generate.js';
import { registerMergeRequest } from './merge-request.js';
import { registerChanges } from './changes.js';
import { registerPlan } from './plan.js';
import { registerReport } from './report.js';
import { registerStatus } from './status.js';
import { registerTenant } from './tenant.js';
import { registerValidate } from './validate.js';

/** Builds the command tree. Each command file registers itself; actions hand their exit code to `run`. */
export function buildProgram(io: Io, run: (code: Promise<number>) => void): Command {
  const program = new Command('ozg-gitops')
    .description('GitOps config generator for the OZG-Cloud platform: Kommune and environment YAML in, Argo CD and Kubernetes manifests out')
    .version(packageVersion(), '--version', 'print the version of ozg-gitops')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerValidate(program, io, run);
  registerGenerate(program, io, run);
  registerTenant(program, io, run);
  registerPlan(program, io, run);
  registerChanges(program, io, run);
  registerStatus(program, io, run);
  registerReport(program, io, run);
  registerMergeRequest(program, io, run);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The version in the project's package.json, found from this file in build/ or in the sources. */
function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ozg-cloud-gitops' && pkg.version) return pkg.version;
    }
  }
  return 'unknown';
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(io, (code) => {
    pending = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return pending ? await pending : EXIT.ok;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

/** The one place errors become exit codes. Branches on `code`, never on instanceof. */
function exitCodeFor(error: unknown, io: Io): number {
  const e = error as { code?: unknown; exitCode?: number; diagnostics?: []; message?: string; stack?: string };
  const code = typeof e.code === 'string' ? e.code : '';
  if (error instanceof CommanderError || code.startsWith('commander.')) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (code.startsWith('E_') && typeof e.exitCode === 'number') {
    if (e.diagnostics?.length) printDiagnostics(io, e.diagnostics);
    io.err(`error: ${e.message}`);
    return e.exitCode;
  }
  io.err(`internal error: ${e.message ?? String(error)}`);
  if (e.stack) io.err(e.stack);
  io.err('this is a bug in ozg-gitops, not in your input; please report it with the command you ran');
  return EXIT.internal;
}

/**
 * Commands run on a worker thread with a heap budget. Left alone, V8 sizes its heap from the
 * machine's memory (over 4 GiB on a 24 GiB machine) and lets garbage pile up towards that, while
 * a nationwide render keeps about 200 MB alive. The process, its pid and its signals stay the
 * same (the lock and the crash tests rely on that). OZG_GITOPS_HEAP_MB changes the budget.
 */
export const DEFAULT_HEAP_MB = 384;

export async function runWithHeapBudget(argv: string[]): Promise<number> {
  const setting = process.env.OZG_GITOPS_HEAP_MB;
  const budget = setting === undefined || setting === '' ? DEFAULT_HEAP_MB : Number(setting);
  if (!Number.isInteger(budget) || budget < 128) {
    processIo.err(`error: OZG_GITOPS_HEAP_MB=${setting} is not a heap budget; give whole MiB, at least 128 (default ${DEFAULT_HEAP_MB})`);
    return EXIT.usage;
  }
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { cliArgv: argv, isTTY: processIo.isTTY },
    resourceLimits: { maxOldGenerationSizeMb: budget, maxYoungGenerationSizeMb: 48 },
  });
  return new Promise((resolve) => {
    let code: number | undefined;
    worker.on('message', (exitCode: number) => (code = exitCode));
    worker.on('error', (error: Error & { code?: string }) => {
      code = EXIT.internal;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') processIo.err(`error: ozg-gitops needed more than its heap budget of ${budget} MiB; run it again with OZG_GITOPS_HEAP_MB=${budget * 2}`);
      else exitCodeFor(error, processIo);
    });
    worker.on('exit', () => {
      // A command whose thread ran out of work while still waiting for something: a bug, said as one.
      if (code === undefined) processIo.err('internal error: ozg-gitops stopped before its command finished; please report this');
      resolve(code ?? EXIT.internal);
    });
  });
}

const invokedDirectly = isMainThread && process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  process.exitCode = await runWithHeapBudget(process.argv.slice(2));
} else if (!isMainThread && (workerData as { cliArgv?: string[] } | null)?.cliArgv) {
  const { cliArgv, isTTY } = workerData as { cliArgv: string[]; isTTY: boolean };
  parentPort!.postMessage(await runCli(cliArgv, { ...processIo, isTTY }));
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics.js';
import type { ResolvedEnvironment } from '../model/resolve.js';
import { KommuneTemplates, type KommuneFiles } from './kommune-files.js';

/** A slice of one environment's Kommunen, the unit of work handed to a worker. */
export interface Task {
  readonly env: number;
  readonly from: number;
  readonly to: number;
}

export function runTask(envs: readonly ResolvedEnvironment[], task: Task, templates: KommuneTemplates): KommuneFiles {
  const files: (readonly [string, string])[] = [];
  const diagnostics: Diagnostic[] = [];
  const env = envs[task.env]!;
  for (let i = task.from; i < task.to; i++) {
    const out = templates.render(env, env.kommunen[i]!);
    files.push(...out.files);
    diagnostics.push(...out.diagnostics);
  }
  return { files, diagnostics };
}

/** Below this many Kommune renders, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 1500;
const TASK_SIZE = 200;

/**
 * One thread by default: with Kommune templates a nationwide render spends under a second on
 * Kommunen, and starting workers (each loads cdk8s and receives the fleet) measured slower
 * (10,800 × 3, nothing changed: 21.0 s with two workers, 18.4 s with none). `--jobs` still
 * spreads Kommunen over workers, for fleets whose shapes vary more.
 */
export function defaultJobs(): number {
  return 1;
}

/**
 * Renders every Kommune of the given environments, on `jobs` worker threads when the fleet is
 * large enough. The result does not depend on `jobs`: files are keyed by path and sorted later,
 * diagnostics are sorted by the caller.
 */
export async function renderAllKommunen(envs: readonly ResolvedEnvironment[], jobs = defaultJobs()): Promise<{ files: Map<string, string>; diagnostics: Diagnostic[] }> {
  const tasks: Task[] = [];
  envs.forEach((env, e) => {
    for (let from = 0; from < env.kommunen.length; from += TASK_SIZE) tasks.push({ env: e, from, to: Math.min(env.kommunen.length, from + TASK_SIZE) });
  });
  const total = envs.reduce((n, e) => n + e.kommunen.length, 0);
  const files = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const collect = (out: KommuneFiles) => {
    for (const [p, text] of out.files) files.set(p, text);
    diagnostics.push(...out.diagnostics);
  };
  const script = workerScript();
  if (jobs <= 1 || total < PARALLEL_THRESHOLD || !script) {
    const templates = new KommuneTemplates();
    for (const task of tasks) collect(runTask(envs, task, templates));
    return { files, diagnostics };
  }
  let next = 0;
  const threads = Math.min(Math.floor(jobs), tasks.length);
  if (!(threads >= 1)) throw new Error(`renderAllKommunen: ${jobs} is not a number of worker threads`);
  const workers = Array.from({ length: threads }, () => new Worker(script, { workerData: { envs }, resourceLimits: { maxYoungGenerationSizeMb: 64 } }));
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= tasks.length) return resolve();
              worker.postMessage(tasks[next++]);
            };
            worker.on('message', (out: KommuneFiles) => {
              collect(out);
              give();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (next < tasks.length || code !== 0 ? reject(new Error(`a render worker stopped with exit code ${code}`)) : resolve()));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { files, diagnostics };
}

/** The compiled worker; when running from TypeScript sources (tests), the one in build/. */
function workerScript(): URL | undefined {
  const here = new URL('./render-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace('/generator/check/', '/build/generator/check/'));
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

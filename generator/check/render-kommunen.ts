import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics.js';
import type { ResolvedEnvironment, ResolvedKommune } from '../model/resolve.js';
import { inputScopes, kommuneInputKey } from '../render/render-fleet.js';
import { KommuneTemplates, type KommuneUnit } from './kommune-files.js';

/** Some Kommunen of one environment, the unit of work handed to a worker. */
export interface Task {
  readonly env: number;
  readonly kommunen: readonly number[];
}

/** One Kommune's own files in one environment, rendered and checked. */
export interface KommuneOutput {
  /** `kommune:<env>/<id>`. */
  readonly unit: string;
  readonly fingerprint: string;
  /** render/render-fleet.ts: kommuneInputKey, when the input files' keys are known. */
  readonly inputKey?: string;
  readonly files: readonly (readonly [path: string, text: string])[];
}

export interface TaskResult {
  readonly outputs: readonly KommuneOutput[];
  readonly diagnostics: readonly Diagnostic[];
}

function kommuneUnitKey(env: ResolvedEnvironment, id: string): string {
  return `kommune:${env.name}/${id}`;
}

/** Fills in the files of the task's Kommunen; the templates' own checks are the caller's. */
export function runTask(envs: readonly ResolvedEnvironment[], task: Task, templates: KommuneTemplates): TaskResult {
  const outputs: KommuneOutput[] = [];
  const diagnostics: Diagnostic[] = [];
  const env = envs[task.env]!;
  for (const i of task.kommunen) {
    const k = env.kommunen[i]!;
    const unit = templates.unit(env, k);
    const own = unit.materialize();
    outputs.push({ unit: kommuneUnitKey(env, k.id), fingerprint: unit.fingerprint, files: own.files });
    diagnostics.push(...own.diagnostics);
  }
  return { outputs, diagnostics };
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

export interface RenderKommunenOptions {
  /** Worker threads. @default defaultJobs() */
  readonly jobs?: number;
  /**
   * Whether a Kommune's files, at this input key (else this fingerprint, taken only when asked), are
   * in place as the last run left them: then they are not filled in. @default never
   */
  readonly isCurrent?: (unit: string, inputKey: string | undefined, fingerprint: () => string) => boolean;
  /** Input file → a key of its bytes, for the Kommunen's input keys. */
  readonly inputKeys?: ReadonlyMap<string, string>;
  /** Receives each rendered Kommune's files as soon as they are rendered (nothing is kept here). */
  readonly onOutput: (output: KommuneOutput) => void;
}

export interface RenderedKommunen {
  readonly diagnostics: Diagnostic[];
  /** Per environment (by name), the Kommunen found current (`isCurrent`): not rendered. */
  readonly current: ReadonlyMap<string, ReadonlySet<ResolvedKommune>>;
}

/**
 * Renders every Kommune of the given environments that is not current, on `jobs` worker threads
 * when there are enough of them. The result does not depend on `jobs`: files are keyed by path,
 * diagnostics are sorted by the caller.
 */
export async function renderAllKommunen(envs: readonly ResolvedEnvironment[], options: RenderKommunenOptions): Promise<RenderedKommunen> {
  const templates = new KommuneTemplates();
  const diagnostics: Diagnostic[] = [];
  const current = new Map<string, Set<ResolvedKommune>>();
  const tasks: Task[] = [];
  const inputKeyOf = new Map<string, string>();
  let pendingKommunen = 0;
  envs.forEach((env, e) => {
    const scopes = inputScopes(env, options.inputKeys);
    let pending: number[] = [];
    const currentHere = new Set<ResolvedKommune>();
    current.set(env.name, currentHere);
    env.kommunen.forEach((k, i) => {
      const key = kommuneUnitKey(env, k.id);
      const inputKey = kommuneInputKey(scopes, k);
      let unit: KommuneUnit | undefined;
      if (options.isCurrent?.(key, inputKey, () => (unit ??= templates.unit(env, k)).fingerprint)) {
        currentHere.add(k);
        return;
      }
      unit ??= templates.unit(env, k);
      if (inputKey !== undefined) inputKeyOf.set(key, inputKey);
      // The template's checks, for each Kommune filled in from it.
      diagnostics.push(...unit.shared);
      pending.push(i);
      pendingKommunen++;
      if (pending.length === TASK_SIZE) {
        tasks.push({ env: e, kommunen: pending });
        pending = [];
      }
    });
    if (pending.length) tasks.push({ env: e, kommunen: pending });
  });
  const collect = (out: TaskResult) => {
    for (const output of out.outputs) options.onOutput({ ...output, inputKey: inputKeyOf.get(output.unit) });
    diagnostics.push(...out.diagnostics);
  };
  const jobs = options.jobs ?? defaultJobs();
  const script = workerScript();
  if (jobs <= 1 || pendingKommunen < PARALLEL_THRESHOLD || !script) {
    for (const task of tasks) collect(runTask(envs, task, templates));
    return { diagnostics, current };
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
            worker.on('message', (out: TaskResult) => {
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
  return { diagnostics, current };
}

/** The compiled worker; when running from TypeScript sources (tests), the one in build/. */
function workerScript(): URL | undefined {
  const here = new URL('./render-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace('/generator/check/', '/build/generator/check/'));
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

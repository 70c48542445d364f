import path from 'node:path';
import { renderChecked, type RenderResult } from './check/render-checked.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { directorySource } from './load/input-source.js';
import type { ResolvedFleet } from './model/resolve.js';
import { loadFleet } from './pipeline.js';
import { checkRemovalGuards } from './plan/guards.js';
import { inventoryOf, inventoryOnDisk } from './plan/inventory.js';
import { generateFingerprint, recordRun } from './write/manifest.js';
import { acquireLock } from './write/lock.js';
import { diffTrees, recoverInterruptedWrite, writeTrees, type OwnedTree, type TreeChanges } from './write/write-tree.js';

export interface GenerateOptions {
  /** Folder holding environments/ and tenants/. */
  readonly root: string;
  /** Where the GitOps tree goes. @default <root>/dist */
  readonly outDir?: string;
  /** Where the Argo CD bootstrap goes. @default <root>/argocd */
  readonly bootstrapDir?: string;
  /** Limit dist/ to these environments (the rest of dist/ is left as it is). */
  readonly envs?: readonly string[];
  /** Compare only; write nothing. */
  readonly check?: boolean;
  /** Let a change remove more than the environment's share of Applications. */
  readonly allowMassRemoval?: boolean;
  /** Worker threads rendering Kommunen. @default 1 (the main thread) */
  readonly jobs?: number;
  readonly today: string;
}

export interface GenerateResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when the inputs or the output did not validate. */
  readonly changes?: TreeChanges;
  readonly fleet?: ResolvedFleet;
}

/** load → validate → resolve → render → check output. Pure apart from reading the inputs. */
export async function renderAndCheck(options: Pick<GenerateOptions, 'root' | 'envs' | 'today' | 'jobs'>): Promise<RenderResult> {
  const { fleet, diagnostics } = await loadFleet(directorySource(options.root), options.today);
  if (!fleet) return { diagnostics };
  return renderChecked(fleet, diagnostics, options.envs, options.jobs);
}

/**
 * Renders and validates everything in memory, then replaces dist/ and argocd/ (or, with
 * `check`, only compares). Invalid inputs or output leave both trees untouched.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const outDir = path.resolve(options.outDir ?? path.join(options.root, 'dist'));
  const bootstrapDir = path.resolve(options.bootstrapDir ?? path.join(options.root, 'argocd'));
  const schemaDir = path.join(path.resolve(options.root), 'schemas');
  const workDir = path.dirname(outDir);
  const release = options.check ? () => undefined : acquireLock(workDir);
  try {
    if (!options.check) await recoverInterruptedWrite(workDir, [outDir, bootstrapDir, schemaDir]);
    // Recorded after the write, so the next no-op run can stop early (write/manifest.ts); taken here,
    // under this run's lock, so it describes exactly the inputs this run renders.
    const fingerprint = options.check || options.envs ? undefined : await generateFingerprint({ ...options, outDir, bootstrapDir });
    const rendered = await renderAndCheck(options);
    if (!rendered.dist || !rendered.bootstrap || !rendered.schemas) return { diagnostics: rendered.diagnostics, fleet: rendered.fleet };
    // The removal guards compare with what is deployed now: the dist/ on disk.
    const before = await inventoryOnDisk(outDir, options.envs);
    const guards = checkRemovalGuards(before, inventoryOf(rendered.shared!, rendered.dist), rendered.fleet!, { allowMassRemoval: options.allowMassRemoval });
    if (hasErrors(guards)) return { diagnostics: sortDiagnostics([...rendered.diagnostics, ...guards]), fleet: rendered.fleet };
    const trees = (await ownedTrees(outDir, bootstrapDir, rendered.dist, rendered.bootstrap, options.envs)).concat([{ dir: schemaDir, files: rendered.schemas }]);
    const changes = options.check ? await diffTrees(trees, workDir) : await writeTrees(workDir, trees);
    if (fingerprint) await recordRun(workDir, fingerprint, [outDir, bootstrapDir, schemaDir]);
    return { diagnostics: rendered.diagnostics, changes, fleet: rendered.fleet };
  } finally {
    release();
  }
}

/** With --env, the other environments' folders in dist/ are kept as they are on disk. */
async function ownedTrees(
  outDir: string,
  bootstrapDir: string,
  dist: ReadonlyMap<string, string>,
  bootstrap: ReadonlyMap<string, string>,
  envs?: readonly string[],
): Promise<OwnedTree[]> {
  if (!envs) return [{ dir: outDir, files: dist }, { dir: bootstrapDir, files: bootstrap }];
  return [...envs].sort().map((env): OwnedTree => ({
    dir: path.join(outDir, env),
    files: new Map([...dist].filter(([p]) => p.startsWith(`${env}/`)).map(([p, c]) => [p.slice(env.length + 1), c])),
  })).concat([{ dir: bootstrapDir, files: bootstrap }]);
}

import path from 'node:path';
import { findLostOutput } from './check/completeness.js';
import { checkFleetInvariants } from './check/invariants.js';
import { validateRenderedFile } from './check/validate-output.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { directorySource } from './load/input-source.js';
import type { ResolvedFleet } from './model/resolve.js';
import { loadFleet } from './pipeline.js';
import { renderAllKommunen } from './render/render-kommunen.js';
import { FLEET_TENANT_SCHEMA, renderFleetSchema } from './render/fleet-schema.js';
import { renderShared } from './render/render-fleet.js';
import { serializeFile, type RenderedFile } from './render/serialize.js';
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

/** The rendered trees, serialized and validated; nothing is written. */
export interface RenderResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly fleet?: ResolvedFleet;
  readonly dist?: ReadonlyMap<string, string>;
  readonly bootstrap?: ReadonlyMap<string, string>;
  /** The fleet schema for editors: `<root>/schemas/` (render/fleet-schema.ts). */
  readonly schemas?: ReadonlyMap<string, string>;
  /** The shared dist/ files (ApplicationSets, add-ons, platform projects) with their objects, for plans and guards. */
  readonly shared?: readonly RenderedFile[];
}

/** load → validate → resolve → render → check output. Pure apart from reading the inputs. */
export async function renderAndCheck(options: Pick<GenerateOptions, 'root' | 'envs' | 'today' | 'jobs'>): Promise<RenderResult> {
  const { fleet, diagnostics } = await loadFleet(directorySource(options.root), options.today);
  if (!fleet) return { diagnostics };
  return renderChecked(fleet, diagnostics, options.envs, options.jobs);
}

/**
 * Renders and checks in memory: the shared files on this thread, the Kommunen (most of the work)
 * on worker threads; each Kommune's files are validated and serialized where they are rendered,
 * so only text is kept.
 */
export async function renderChecked(fleet: ResolvedFleet, inputDiagnostics: readonly Diagnostic[], envs?: readonly string[], jobs?: number): Promise<RenderResult> {
  const shared = renderShared(fleet, envs);
  const found: Diagnostic[] = [...inputDiagnostics];
  for (const file of shared.dist) found.push(...validateRenderedFile(file, 'dist'));
  for (const file of shared.bootstrap) found.push(...validateRenderedFile(file, 'argocd'));
  found.push(...checkFleetInvariants(fleet, shared.dist));
  const selected = fleet.environments.filter((e) => !envs || envs.includes(e.name));
  const kommunen = await renderAllKommunen(selected, jobs);
  found.push(...kommunen.diagnostics);
  const diagnostics = sortDiagnostics(found);
  if (hasErrors(diagnostics)) return { diagnostics, fleet };
  const dist = toMap(shared.dist);
  for (const [file, text] of kommunen.files) {
    if (dist.has(file)) throw new Error(`two render modules wrote ${file}`);
    dist.set(file, text);
  }
  const lost = findLostOutput(selected, new Set(dist.keys()), shared.dist);
  if (lost.length > 0) {
    throw new Error(`the render lost output of Kommunen that are still in the inputs, so nothing was written: ${lost.length} missing, e.g. ${lost.slice(0, 3).join('; ')}`);
  }
  const schemas = new Map([[FLEET_TENANT_SCHEMA, renderFleetSchema(fleet)]]);
  return { diagnostics, fleet, dist: new Map([...dist].sort(([a], [b]) => (a < b ? -1 : 1))), bootstrap: toMap(shared.bootstrap), schemas, shared: shared.dist };
}

function toMap(files: readonly RenderedFile[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (map.has(file.path)) throw new Error(`two render modules wrote ${file.path}`);
    map.set(file.path, serializeFile(file));
  }
  return map;
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

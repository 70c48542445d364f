import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { ResolvedFleet } from '../model/resolve.js';
import { FLEET_TENANT_SCHEMA, renderFleetSchema } from '../render/fleet-schema.js';
import { renderShared } from '../render/render-fleet.js';
import { serializeFile, type RenderedFile } from '../render/serialize.js';
import { findLostOutput } from './completeness.js';
import { checkFleetInvariants } from './invariants.js';
import { renderAllKommunen } from './render-kommunen.js';
import { validateRenderedFile } from './validate-output.js';

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


import { hasErrors, type Diagnostic } from '../diagnostics.js';
import type { ResolvedFleet } from '../model/resolve.js';
import type { RenderedFile } from '../render/serialize.js';
import { renderOutputs } from './render-outputs.js';

/** The rendered trees, serialized and validated, in memory; nothing is written. */
export interface RenderResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly fleet?: ResolvedFleet;
  readonly dist?: ReadonlyMap<string, string>;
  readonly bootstrap?: ReadonlyMap<string, string>;
  /** The fleet schema for editors: `<root>/schemas/` (render/fleet-schema.ts). */
  readonly schemas?: ReadonlyMap<string, string>;
  /** The shared dist/ files (ApplicationSets, add-ons, platform projects) with their objects. */
  readonly shared?: readonly RenderedFile[];
}

/**
 * Renders and checks everything into memory: the whole output as text, for tests and small
 * fleets. generate streams the same render into the trees instead (render-outputs.ts).
 */
export async function renderChecked(fleet: ResolvedFleet, inputDiagnostics: readonly Diagnostic[], envs?: readonly string[], jobs?: number): Promise<RenderResult> {
  const trees = new Map<string, Map<string, string>>([['dist', new Map()], ['argocd', new Map()], ['schemas', new Map()]]);
  const shared: RenderedFile[] = [];
  const sink = {
    put: (file: { tree: string; path: string }, text: string) => void trees.get(file.tree)!.set(file.path, text),
    keep: () => {
      throw new Error('an in-memory render has no record to keep files from');
    },
  };
  const { diagnostics } = await renderOutputs(fleet, inputDiagnostics, { envs, jobs, sink, onSharedFile: (file) => shared.push(file) });
  if (hasErrors(diagnostics)) return { diagnostics, fleet };
  const sorted = (tree: string) => new Map([...trees.get(tree)!].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { diagnostics, fleet, dist: sorted('dist'), bootstrap: sorted('argocd'), schemas: sorted('schemas'), shared };
}

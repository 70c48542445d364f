import type { Diagnostic } from '../diagnostics.js';
import type { RenderUnit } from '../render/render-fleet.js';
import type { RenderedFile } from '../render/serialize.js';

/** A unit's shared files as rendered, and what checking them found. */
export interface CheckedUnit {
  readonly files: readonly RenderedFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Shared files a generate rendered and checked, by the unit they came from, so that the plan of
 * the same change (bump, promote, halt...) takes them for its head side instead of rendering and
 * checking them again. A unit object stands for exactly its inputs: the units of an environment
 * are made once per resolved model (render/render-fleet.ts: environmentUnits), and a plan given the
 * generate's model gets the same objects. Bounded by ApplicationSet elements (a pin change in one
 * environment of the nationwide fleet renders 10,800); past the bound nothing more is kept and the
 * plan renders the rest itself.
 */
export class RenderedUnits {
  private readonly units = new Map<RenderUnit, CheckedUnit>();
  private elements = 0;

  constructor(private readonly maxElements = 25_000) {}

  add(unit: RenderUnit, checked: CheckedUnit): void {
    const elements = checked.files.reduce((n, file) => n + file.objects.reduce((m, object) => m + elementCount(object), 1), 0);
    if (this.elements + elements > this.maxElements) return;
    this.elements += elements;
    this.units.set(unit, checked);
  }

  get(unit: RenderUnit): CheckedUnit | undefined {
    return this.units.get(unit);
  }
}

function elementCount(object: RenderedFile['objects'][number]): number {
  if (object.kind !== 'ApplicationSet') return 0;
  const generators = (object.spec as { generators?: { list?: { elements?: unknown[] } }[] } | undefined)?.generators ?? [];
  return generators.reduce((n, g) => n + (g.list?.elements?.length ?? 0), 0);
}

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
  /** Files and ApplicationSet elements kept so far. */
  private size = 0;

  constructor(private readonly maxSize = 25_000) {}

  /** `size`: the unit's files and the ApplicationSet elements they hold. */
  add(unit: RenderUnit, checked: CheckedUnit, size: number): void {
    if (this.size + size > this.maxSize) return;
    this.size += size;
    this.units.set(unit, checked);
  }

  get(unit: RenderUnit): CheckedUnit | undefined {
    return this.units.get(unit);
  }
}

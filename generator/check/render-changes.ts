import type { Diagnostic } from '../diagnostics.js';
import type { ResolvedEnvironment, ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { environmentUnits, inputScopes, kommuneInputKey, type RenderUnit } from '../render/render-fleet.js';
import type { RenderedFile } from '../render/serialize.js';
import { checkFleetModel, checkSharedFile, kommuneSourceFiles } from './invariants.js';
import { KommuneTemplates, type KommuneUnit } from './kommune-files.js';
import type { RenderedUnits } from './rendered-units.js';
import { validateRenderedFile } from './validate-output.js';

export type Side = 'base' | 'head';

export interface RenderChangesOptions {
  /** A shared dist/ file of a unit that differs between the sides, with its objects. */
  readonly onSharedFile: (side: Side, file: RenderedFile) => void;
  /**
   * The files (paths relative to dist/) of a Kommune whose own files differ between the sides,
   * both sides at once (a side without the Kommune has none), so that nothing needs keeping.
   */
  readonly onKommune: (files: Record<Side, readonly (readonly [path: string, text: string])[]>) => void;
  /**
   * Environments whose models are the same on both sides, as the caller proved from the input
   * bytes (plan/plan.ts: sameEnvironments): neither rendered nor fingerprinted.
   */
  readonly sameEnvironments?: ReadonlySet<string>;
  /** Each side's input file → a key of its bytes: a unit whose input key is the same on both sides is neither rendered nor fingerprinted. */
  readonly inputKeys?: Record<Side, ReadonlyMap<string, string> | undefined>;
  /** Units of the head side that its generate rendered and checked already (a change's plan). */
  readonly headRendered?: RenderedUnits;
}

/**
 * What a change renders differently, from two resolved fleets and their render units: a unit
 * with the same key and input key (render/render-fleet.ts: inputScopes), else the same
 * fingerprint, on both sides renders to the same bytes, so it is rendered on neither; every other unit is rendered, and checked, on each side that has it. A pin change
 * renders the ApplicationSets of one environment twice and no Kommune file; a Kommune edit one
 * cluster, one instance and that Kommune per environment; an environment the caller knows to be
 * the same on both sides is skipped. Returns each side's output checks.
 */
export function renderChanges(base: ResolvedFleet, head: ResolvedFleet, options: RenderChangesOptions): Record<Side, Diagnostic[]> {
  const found: Record<Side, Diagnostic[]> = { base: [...checkFleetModel(base)], head: [...checkFleetModel(head)] };
  const fileOf = { base: kommuneSourceFiles(base), head: kommuneSourceFiles(head) };
  const templates = { base: new KommuneTemplates(), head: new KommuneTemplates() };
  const names = [...new Set([...base.environments, ...head.environments].map((e) => e.name))].sort();
  for (const name of names) {
    if (options.sameEnvironments?.has(name)) continue;
    const envs: Record<Side, ResolvedEnvironment | undefined> = { base: base.environments.find((e) => e.name === name), head: head.environments.find((e) => e.name === name) };
    const units: Record<Side, Map<string, RenderUnit>> = {
      base: new Map(envs.base ? environmentUnits(envs.base, options.inputKeys?.base).map((u) => [u.key, u]) : []),
      head: new Map(envs.head ? environmentUnits(envs.head, options.inputKeys?.head).map((u) => [u.key, u]) : []),
    };
    for (const key of [...new Set([...units.base.keys(), ...units.head.keys()])].sort()) {
      const before = units.base.get(key);
      const after = units.head.get(key);
      if (before?.inputKey !== undefined && before.inputKey === after?.inputKey) continue;
      // Different shapes render differently: no need to digest every Kommune to know it.
      const shapesDiffer = before !== undefined && after !== undefined && before.shape !== after.shape;
      if (!shapesDiffer && before?.fingerprint === after?.fingerprint) continue;
      for (const side of ['base', 'head'] as const) {
        const unit = units[side].get(key);
        const checked = unit && side === 'head' ? options.headRendered?.get(unit) : undefined;
        if (checked) found[side].push(...checked.diagnostics);
        for (const file of checked?.files ?? unit?.render() ?? []) {
          if (!checked) found[side].push(...validateRenderedFile(file, 'dist'), ...checkSharedFile(file, fileOf[side]));
          options.onSharedFile(side, file);
        }
      }
    }
    type Entry = { readonly env: ResolvedEnvironment; readonly k: ResolvedKommune; readonly inputKey?: string; unit?: KommuneUnit };
    const kommunen: Record<Side, Map<string, Entry>> = { base: new Map(), head: new Map() };
    // Taken only for a Kommune whose input keys differ between the sides.
    const unit = (side: Side, entry: Entry) => (entry.unit ??= templates[side].unit(entry.env, entry.k));
    for (const side of ['base', 'head'] as const) {
      const env = envs[side];
      const scopes = env && inputScopes(env, options.inputKeys?.[side]);
      for (const k of env?.kommunen ?? []) kommunen[side].set(k.id, { env: env!, k, inputKey: kommuneInputKey(scopes, k) });
    }
    for (const id of [...new Set([...kommunen.base.keys(), ...kommunen.head.keys()])].sort()) {
      const before = kommunen.base.get(id);
      const after = kommunen.head.get(id);
      if (before?.inputKey !== undefined && before.inputKey === after?.inputKey) continue;
      if (before && after && unit('base', before).fingerprint === unit('head', after).fingerprint) continue;
      const files: Record<Side, readonly (readonly [string, string])[]> = { base: [], head: [] };
      for (const side of ['base', 'head'] as const) {
        const entry = kommunen[side].get(id);
        if (!entry) continue;
        const own = unit(side, entry).materialize();
        found[side].push(...unit(side, entry).shared, ...own.diagnostics);
        files[side] = own.files;
      }
      options.onKommune(files);
    }
  }
  return found;
}

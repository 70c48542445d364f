import type { Inventory } from './inventory.js';

export interface WaveEstimate {
  readonly wave: string;
  /** Applications in this wave, in the largest ApplicationSet. */
  readonly applications: number;
  readonly maxUpdate: number | string;
  readonly steps: number;
}

export interface RolloutEstimate {
  readonly env: string;
  /** The ApplicationSet that takes longest; ApplicationSets roll out in parallel. */
  readonly slowest: string;
  readonly waves: readonly WaveEstimate[];
  readonly minutes: number;
  readonly budgetMinutes: number;
  readonly syncMinutes: number;
  readonly overBudget: boolean;
}

/** Applications updated at once: a count, or a share rounded down but at least one. */
export function maxUpdateCount(maxUpdate: number | string, applications: number): number {
  if (typeof maxUpdate === 'number') return Math.max(1, maxUpdate);
  return Math.max(1, Math.floor((applications * Number(maxUpdate.replace('%', ''))) / 100));
}

/**
 * How long a change takes to reach every Application of an environment. Each wave must be
 * Healthy before the next starts; within a wave `maxUpdate` Applications sync per step; every
 * ApplicationSet (cluster × app) runs its waves independently, so the slowest one decides.
 * `only` limits the estimate to the ApplicationSets a change touches.
 */
export function estimateRollout(
  env: string,
  inventory: Inventory,
  settings: { syncMinutes: number; budgetMinutes: number; waves: readonly { readonly name: string; readonly maxUpdate: number | string }[] },
  only?: ReadonlySet<string>,
): RolloutEstimate | undefined {
  // The environment's waves in order: an ApplicationSet has steps only for the waves it holds.
  const waves = settings.waves;
  const perSet = new Map<string, Map<string, number>>();
  for (const a of inventory.apps.values()) {
    if (a.env !== env) continue;
    const set = `${a.cluster}/${a.app}`;
    if (only && !only.has(set)) continue;
    const counts = perSet.get(set) ?? new Map<string, number>();
    counts.set(a.wave, (counts.get(a.wave) ?? 0) + 1);
    perSet.set(set, counts);
  }
  let best: RolloutEstimate | undefined;
  for (const [set, counts] of [...perSet].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const estimate = waves.map((w) => {
      const applications = counts.get(w.name) ?? 0;
      const steps = applications === 0 ? 0 : Math.ceil(applications / maxUpdateCount(w.maxUpdate, applications));
      return { wave: w.name, applications, maxUpdate: w.maxUpdate, steps };
    });
    const minutes = estimate.reduce((sum, w) => sum + w.steps, 0) * settings.syncMinutes;
    if (!best || minutes > best.minutes) {
      best = { env, slowest: set, waves: estimate, minutes, budgetMinutes: settings.budgetMinutes, syncMinutes: settings.syncMinutes, overBudget: minutes > settings.budgetMinutes };
    }
  }
  return best;
}

import type { Diagnostic } from '../diagnostics.js';
import type { ResolvedFleet } from '../model/resolve.js';
import type { Inventory } from './inventory.js';

export interface GuardOptions {
  /** Let a change remove more than the environment's share of Applications. */
  readonly allowMassRemoval?: boolean;
  /**
   * Applications per environment in files the change leaves as they are, when the inventories
   * hold only the files it touches (an incremental generate). @default none: the inventories are whole
   */
  readonly unchangedApplications?: ReadonlyMap<string, number>;
}

export const DEFAULT_MAX_REMOVAL_PERCENT = 10;

/**
 * The hard stops before anything can take a Kommune's data away: in production no Kommune or
 * Application disappears unless its file marks it for decommissioning, and in any environment
 * no change removes more than a set share of the Applications at once.
 */
export function checkRemovalGuards(before: Inventory, after: Inventory, fleet: ResolvedFleet, options: GuardOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const env of fleet.environments) {
    const removedByKommune = new Map<string, string[]>();
    let beforeCount = options.unchangedApplications?.get(env.name) ?? 0;
    for (const [key, entry] of before.apps) {
      if (entry.env !== env.name) continue;
      beforeCount++;
      if (!after.apps.has(key)) removedByKommune.set(entry.kommune, [...(removedByKommune.get(entry.kommune) ?? []), entry.app]);
    }
    const removed = [...removedByKommune.values()].reduce((n, apps) => n + apps.length, 0);
    if (env.production) {
      for (const [kommune, apps] of [...removedByKommune].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const mark = fleet.decommissioned.get(kommune);
        const stillThere = env.kommunen.some((k) => k.id === kommune);
        const allowed = mark && (mark.apps ? stillThere && apps.every((a) => mark.apps!.includes(a)) : true);
        if (allowed) continue;
        const file = mark?.file ?? `tenants/${kommune.split('-')[0]}/${kommune}.yaml`;
        out.push({
          code: 'E_REMOVAL_GUARD',
          severity: 'error',
          message: stillThere
            ? `${apps.sort().join(', ')} of ${kommune} would disappear from ${env.name}`
            : `Kommune ${kommune} would disappear from ${env.name} (${apps.length} Applications: ${apps.sort().join(', ')})`,
          file,
          line: 1,
          col: 1,
          hint: stillThere
            ? `to remove them on purpose, add decommission: {reason: ..., apps: [${apps.sort().join(', ')}]} to ${file}`
            : `to remove it on purpose, keep ${file}, add decommission: {reason: ...} and take ${env.name} out of its environments; its namespace and volumes stay until removed by hand`,
        });
      }
    }
    const limit = env.doc.guards?.maxRemovalPercent ?? DEFAULT_MAX_REMOVAL_PERCENT;
    if (beforeCount > 0 && !options.allowMassRemoval && (removed / beforeCount) * 100 > limit) {
      out.push({
        code: 'E_MASS_REMOVAL',
        severity: 'error',
        message: `this change removes ${removed} of ${beforeCount} Applications (${Math.round((removed / beforeCount) * 1000) / 10}%) from ${env.name}, more than ${limit}%`,
        file: env.file,
        line: 1,
        col: 1,
        hint: 'if a generator input went missing, restore it; if the removal is intended, run with --allow-mass-removal',
      });
    }
  }
  return out;
}

import { load } from 'js-yaml';
import type { AppEntry, Inventory } from './inventory.js';

/** Identical changes, shown once with the Kommunen (or clusters) they apply to. */
export interface ChangeGroup {
  readonly description: string;
  readonly members: readonly string[];
}

export interface LayerChanges {
  readonly layer: 'apps' | 'baseline' | 'cluster';
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Largest group first. */
  readonly groups: readonly ChangeGroup[];
}

export interface EnvironmentChanges {
  readonly env: string;
  readonly kommunenBefore: number;
  readonly kommunenAfter: number;
  readonly kommunenAdded: readonly string[];
  readonly kommunenRemoved: readonly string[];
  readonly applicationsBefore: number;
  readonly applicationsAfter: number;
  readonly layers: readonly LayerChanges[];
  /** ApplicationSets (cluster/app) that the change touches, for the rollout estimate. */
  readonly touchedApplicationSets: ReadonlySet<string>;
}

/** Kommunen and Applications of an environment before and after, when the inventories do not hold them all. */
export interface EnvironmentTotals {
  readonly kommunenBefore: number;
  readonly kommunenAfter: number;
  readonly applicationsBefore: number;
  readonly applicationsAfter: number;
}

export interface DiffOptions {
  /** Every environment to report, when the inventories hold only what a change touches. */
  readonly envs: readonly string[];
  readonly totals: ReadonlyMap<string, EnvironmentTotals>;
  /** `<env>/<kommune>` → the baseline objects that differ, worked out as the baselines were rendered (the inventories then hold no baseline text). */
  readonly baselineChanges: ReadonlyMap<string, readonly string[]>;
}

/**
 * What changes per environment and layer between two inventories, grouped where identical. The
 * inventories may hold only the ApplicationSets and Kommunen a change touches (an incremental
 * plan): then `options` gives the environments and their totals.
 */
export function diffInventories(before: Inventory, after: Inventory, options?: DiffOptions): EnvironmentChanges[] {
  const envs = new Set<string>(options?.envs);
  for (const inv of [before, after]) for (const a of inv.apps.values()) envs.add(a.env);
  for (const inv of [before, after]) for (const k of inv.addons.keys()) envs.add(k.split('/')[0]!);
  return [...envs].sort().map((env) => diffEnvironment(env, before, after, options?.totals.get(env), options?.baselineChanges));
}

function diffEnvironment(env: string, before: Inventory, after: Inventory, totals?: EnvironmentTotals, baselineChanges?: ReadonlyMap<string, readonly string[]>): EnvironmentChanges {
  const pick = (inv: Inventory) => new Map([...inv.apps].filter(([, a]) => a.env === env));
  const b = pick(before);
  const a = pick(after);
  const kommunen = (m: Map<string, AppEntry>) => new Set([...m.values()].map((x) => x.kommune));
  const kb = kommunen(b);
  const ka = kommunen(a);
  const touched = new Set<string>();

  // apps and baseline Applications: one description per Kommune, Kommunen grouped by description
  const layers: LayerChanges[] = [];
  for (const layer of ['apps', 'baseline'] as const) {
    const perKommune = new Map<string, string[]>();
    let added = 0;
    let changed = 0;
    let removed = 0;
    const isLayer = (x: AppEntry) => (layer === 'baseline') === (x.app === 'baseline');
    for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
      const old = b.get(key);
      const now = a.get(key);
      const entry = (now ?? old)!;
      if (!isLayer(entry)) continue;
      const parts: string[] = [];
      const label = layer === 'baseline' ? 'baseline' : entry.app;
      if (!old) {
        added++;
        parts.push(layer === 'baseline' ? 'baseline added' : `${entry.app} ${now!.version} added`);
      } else if (!now) {
        removed++;
        parts.push(`${label} removed`);
      } else {
        if (old.version !== now.version) parts.push(`${label} ${old.version} → ${now.version}`);
        if (old.values !== now.values) parts.push(`${label} values changed`);
        if (old.cluster !== now.cluster) parts.push(`${label} moved ${old.cluster} → ${now.cluster}`);
        if (old.wave !== now.wave) parts.push(`${label} wave ${old.wave} → ${now.wave}`);
        if (layer === 'baseline') {
          const key = `${env}/${entry.kommune}`;
          const objects = baselineChanges ? (baselineChanges.get(key) ?? []) : changedObjects(before.baselines.get(key), after.baselines.get(key));
          if (objects.length) parts.push(`baseline ${objects.join(', ')} changed`);
        }
        if (parts.length) changed++;
      }
      if (parts.length) {
        touched.add(`${entry.cluster}/${entry.app}`);
        if (now) touched.add(`${now.cluster}/${now.app}`);
        appendTo(perKommune, entry.kommune, ...parts);
      }
    }
    layers.push({ layer, added, changed, removed, groups: group(perKommune) });
  }

  // cluster add-ons: one description per add-on change, clusters grouped
  const addonChanges = new Map<string, string[]>();
  let added = 0;
  let changed = 0;
  let removed = 0;
  const keys = [...new Set([...before.addons.keys(), ...after.addons.keys()])].filter((k) => k.startsWith(`${env}/`)).sort();
  for (const key of keys) {
    const [, cluster, addon] = key.split('/') as [string, string, string];
    const old = before.addons.get(key);
    const now = after.addons.get(key);
    let description: string | undefined;
    if (old === undefined) {
      added++;
      description = `${addon} ${now} added`;
    } else if (now === undefined) {
      removed++;
      description = `${addon} removed`;
    } else if (old !== now) {
      changed++;
      description = `${addon} ${old} → ${now}`;
    }
    if (description) appendTo(addonChanges, cluster, description);
  }
  layers.push({ layer: 'cluster', added, changed, removed, groups: group(addonChanges) });

  return {
    env,
    kommunenBefore: totals?.kommunenBefore ?? kb.size,
    kommunenAfter: totals?.kommunenAfter ?? ka.size,
    kommunenAdded: [...ka].filter((k) => !kb.has(k)).sort(),
    kommunenRemoved: [...kb].filter((k) => !ka.has(k)).sort(),
    applicationsBefore: totals?.applicationsBefore ?? b.size,
    applicationsAfter: totals?.applicationsAfter ?? a.size,
    layers,
    touchedApplicationSets: touched,
  };
}

function group(perMember: ReadonlyMap<string, string[]>): ChangeGroup[] {
  const byDescription = new Map<string, string[]>();
  for (const [member, parts] of perMember) appendTo(byDescription, parts.join('; '), member);
  return [...byDescription]
    .map(([description, members]) => ({ description, members: members.sort() }))
    .sort((x, y) => y.members.length - x.members.length || (x.description < y.description ? -1 : 1));
}

/** Appends in place: a copy per member made grouping a nationwide bump (10,800 Kommunen, one group) allocate 1.1 GB. */
function appendTo(map: Map<string, string[]>, key: string, ...items: string[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, items);
}

/** `Kind/name` of the objects whose content differs between two baseline files. */
export function changedObjects(before = '', after = ''): string[] {
  if (before === after) return [];
  const index = (text: string) =>
    new Map(
      text
        .split(/^---\n/m)
        .map((doc) => load(doc) as { kind: string; metadata: { name: string } } | null)
        .filter((o): o is { kind: string; metadata: { name: string } } => Boolean(o))
        .map((o) => [`${o.kind}/${o.metadata.name}`, JSON.stringify(o)] as const),
    );
  const b = index(before);
  const a = index(after);
  return [...new Set([...b.keys(), ...a.keys()])].filter((k) => b.get(k) !== a.get(k)).sort();
}

/**
 * Automatic canaries: every ApplicationSet (one per cluster and app, plus the baselines) rolls out
 * on its own, so each needs Applications in the first wave of its own, or a bad release reaches
 * the second wave of that cluster unseen. With `rollout.canary.perApplicationSet: n`, an
 * ApplicationSet whose first wave holds fewer than n Kommunen gets the missing ones from its other
 * Kommunen:
 * - an explicit `wave:` in a Kommune file always wins (never moved), `canary: false` opts out;
 * - volunteers (`canary: true`) are taken first;
 * - the rest by rendezvous hashing: each Kommune's score is a hash of ApplicationSet and id, the
 *   highest scores win. Onboarding or removing another Kommune therefore changes at most one choice
 *   per ApplicationSet, and the same inputs give the same choice on every machine.
 */
export interface CanaryCandidate {
  readonly id: string;
  readonly cluster: string;
  readonly wave: string;
  readonly waveExplicit: boolean;
  readonly canary?: boolean;
  /** The ApplicationSets it is in: `baseline` and its apps. */
  readonly apps: readonly string[];
}

/** The ApplicationSet key of a cluster and app. */
export const appSetKey = (cluster: string, app: string) => `${cluster}/${app}`;

/** Kommune id → the ApplicationSets (cluster/app keys) where it is an automatic canary. */
export function assignCanaries(env: string, firstWave: string, perApplicationSet: number, kommunen: readonly CanaryCandidate[]): Map<string, Set<string>> {
  const chosen = new Map<string, Set<string>>();
  for (const [cluster, apps] of membersByCluster(kommunen)) {
    for (const [app, list] of apps) {
      const missing = perApplicationSet - list.filter((k) => k.wave === firstWave).length;
      if (missing <= 0) continue;
      const key = appSetKey(cluster, app);
      const prefix = fnv1a(FNV_OFFSET, `${env}/${key}/`);
      const candidates = list
        .filter((k) => k.wave !== firstWave && !k.waveExplicit && k.canary !== false)
        .map((k) => ({ k, volunteer: k.canary === true, score: score(prefix, k.id) }));
      const order = (a: (typeof candidates)[number], b: (typeof candidates)[number]) => Number(b.volunteer) - Number(a.volunteer) || b.score - a.score || (a.k.id < b.k.id ? -1 : 1);
      for (const { k } of firstInOrder(candidates, missing, order)) {
        const set = chosen.get(k.id) ?? new Set<string>();
        set.add(key);
        chosen.set(k.id, set);
      }
    }
  }
  return chosen;
}

/**
 * Cluster → app (`baseline` and the apps) → the Kommunen in that ApplicationSet, in the order
 * given. Nested maps rather than one keyed by `<cluster>/<app>`: at 10,800 Kommunen that key
 * would be made 86,000 times per environment.
 */
export function membersByCluster<T extends Pick<CanaryCandidate, 'cluster' | 'apps'>>(kommunen: readonly T[]): Map<string, Map<string, T[]>> {
  const members = new Map<string, Map<string, T[]>>();
  for (const k of kommunen) {
    let apps = members.get(k.cluster);
    if (!apps) members.set(k.cluster, (apps = new Map()));
    for (const app of k.apps) {
      const list = apps.get(app);
      if (list) list.push(k);
      else apps.set(app, [k]);
    }
  }
  return members;
}

/**
 * The first `count` items in `order`, in that order: the same as sorting and slicing, in one
 * pass (an ApplicationSet needs one or two canaries out of up to 1,000 Kommunen; sorting them all
 * was most of the canary choice at 10,800 Kommunen).
 */
function firstInOrder<T>(items: readonly T[], count: number, order: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === count && order(item, best[count - 1]!) >= 0) continue;
    let i = best.length === count ? count - 1 : best.length;
    while (i > 0 && order(item, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = item;
  }
  return best.slice(0, count);
}

/**
 * FNV-1a, 32 bits: written here for speed (a nationwide fleet scores about 200,000 pairs per
 * generate; a cryptographic hash is not needed to spread choices evenly and stably). The score of
 * `<env>/<cluster>/<app>/<id>`, hashed on from the hash of its prefix, which is the same for
 * every Kommune of an ApplicationSet.
 */
function score(prefix: number, id: string): number {
  let h = fnv1a(prefix, id);
  // One more avalanche round: FNV's low bits follow the last characters too closely.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(start: number, text: string): number {
  let h = start;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

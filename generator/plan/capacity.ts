import type { ResolvedFleet } from '../model/resolve.js';
import { addonsFor } from '../render/cluster-addons.js';
import { applicationsOfKommune, type Inventory } from './inventory.js';

/**
 * Limits a reviewer is warned about. ApplicationSet: Argo CD caps its status at 5,000 resources
 * (we keep to 1,000 Applications). Instance: the public scale tests ran 10,000 Applications on one
 * unsharded controller (50,000 only with sharding), so 10,000 per controller shard. Cluster: the
 * controller shards by cluster, so one cluster's Applications always share one shard; 3,000 is our
 * margin for that, not an Argo CD number.
 */
export const CAPACITY_LIMITS = { perApplicationSet: 1000, perShard: 10_000, perCluster: 3000 } as const;

export interface CapacityLine {
  readonly scope: 'instance' | 'cluster' | 'applicationset';
  readonly name: string;
  readonly applications: number;
  readonly limit: number;
  readonly exceeded: boolean;
  readonly suggestion?: string;
}

/** Applications (of Kommunen and add-ons) per `<env>/<cluster>`, and per ApplicationSet `<cluster>-<app>`. */
export interface ApplicationCounts {
  readonly perCluster: ReadonlyMap<string, number>;
  readonly perSet: ReadonlyMap<string, number>;
}

/** Counts what a rendered tree deploys. */
export function countInventory(inventory: Inventory): ApplicationCounts {
  const perCluster = new Map<string, number>();
  const perSet = new Map<string, number>();
  for (const a of inventory.apps.values()) {
    perCluster.set(`${a.env}/${a.cluster}`, (perCluster.get(`${a.env}/${a.cluster}`) ?? 0) + 1);
    perSet.set(`${a.cluster}-${a.app}`, (perSet.get(`${a.cluster}-${a.app}`) ?? 0) + 1);
  }
  for (const key of inventory.addons.keys()) {
    const [env, cluster] = key.split('/');
    perCluster.set(`${env}/${cluster}`, (perCluster.get(`${env}/${cluster}`) ?? 0) + 1);
  }
  return { perCluster, perSet };
}

/**
 * Counts the same from the model, without rendering: each Kommune's baseline and apps in its
 * cluster's ApplicationSets, and `addonsFor` each cluster, which is where the render puts them
 * (the completeness check confirms it on every generate).
 */
export function countModel(fleet: ResolvedFleet): ApplicationCounts {
  const perCluster = new Map<string, number>();
  const perSet = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);
  for (const env of fleet.environments) {
    for (const k of env.kommunen) {
      add(perCluster, `${env.name}/${k.cluster}`, applicationsOfKommune(k));
      add(perSet, `${k.cluster}-baseline`);
      for (const a of k.apps) add(perSet, `${k.cluster}-${a.name}`);
    }
    for (const cluster of env.clusters) {
      const addons = addonsFor(env, cluster).length;
      if (addons) add(perCluster, `${env.name}/${cluster.name}`, addons);
    }
  }
  return { perCluster, perSet };
}

/** Applications per Argo CD instance, per cluster and the largest ApplicationSet, against the limits. */
export function checkCapacity(fleet: ResolvedFleet, counts: ApplicationCounts): CapacityLine[] {
  const { perCluster, perSet } = counts;
  const perInstance = new Map<string, { applications: number; shards: number }>();
  for (const env of fleet.environments) {
    for (const c of env.clusters) {
      const shards = env.instances.find((i) => i.name === c.instance)?.shards ?? 1;
      const entry = perInstance.get(c.instance) ?? { applications: 0, shards };
      entry.applications += perCluster.get(`${env.name}/${c.name}`) ?? 0;
      entry.shards = Math.max(entry.shards, shards);
      perInstance.set(c.instance, entry);
    }
  }
  const lines: CapacityLine[] = [];
  for (const [name, { applications, shards }] of [...perInstance].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const limit = CAPACITY_LIMITS.perShard * shards;
    const exceeded = applications > limit;
    lines.push({ scope: 'instance', name, applications, limit, exceeded, ...(exceeded ? { suggestion: 'add controller shards (argocd.instances[].shards) or more Argo CD instances, each with a share of the clusters' } : {}) });
  }
  for (const [name, applications] of [...perCluster].sort()) {
    const exceeded = applications > CAPACITY_LIMITS.perCluster;
    lines.push({ scope: 'cluster', name, applications, limit: CAPACITY_LIMITS.perCluster, exceeded, ...(exceeded ? { suggestion: 'a cluster is never split across controller shards: place some Kommunen on another cluster (cluster: in their files)' } : {}) });
  }
  const largest = [...perSet].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0];
  if (largest) {
    const exceeded = largest[1] > CAPACITY_LIMITS.perApplicationSet;
    lines.push({ scope: 'applicationset', name: largest[0], applications: largest[1], limit: CAPACITY_LIMITS.perApplicationSet, exceeded, ...(exceeded ? { suggestion: 'spread the Kommunen over more clusters' } : {}) });
  }
  return lines;
}

import type { ResolvedEnvironment } from '../model/resolve.js';
import { applicationName, waveOf } from '../model/resolve.js';
import type { ArgoApplication } from './argocd-api.js';

export type AppState = 'done' | 'progressing' | 'failed' | 'missing';

export interface Tally {
  readonly done: number;
  readonly progressing: number;
  readonly failed: number;
  readonly missing: number;
  readonly total: number;
}

export interface FleetStatus {
  readonly env: string;
  readonly total: Tally;
  readonly byWave: readonly (Tally & { readonly key: string })[];
  readonly byLand: readonly (Tally & { readonly key: string })[];
  readonly byCluster: readonly (Tally & { readonly key: string })[];
  /** The Applications not done, worst first, for the operator to look at. */
  readonly problems: readonly { readonly name: string; readonly state: AppState; readonly detail: string }[];
  /** ExternalSecrets that Argo CD does not report Healthy (the operator could not sync them), per Kommune. */
  readonly secretsNotSynced: readonly { readonly kommune: string; readonly secret: string; readonly health: string; readonly message?: string }[];
  /** `halted`: not complete, and `ozg-gitops halt` stopped the rollout (Argo CD updates nothing more). */
  readonly state: 'complete' | 'in-progress' | 'halted' | 'failed';
  /** The reason given to `halt`, and the apps it stopped (all when absent). */
  readonly halted?: { readonly reason: string; readonly apps?: readonly string[] };
}

interface Expected {
  readonly name: string;
  readonly wave: string;
  readonly land: string;
  readonly cluster: string;
  /** The chart version the inputs pin for this Application; baselines have none. */
  readonly version?: string;
}

/** The Applications the inputs say should exist in an environment, with the version each should run. */
export function expectedApplications(env: ResolvedEnvironment): Expected[] {
  return env.kommunen.flatMap((k) => [
    { name: applicationName(env.name, k.id, 'baseline'), wave: waveOf(env, k, 'baseline'), land: k.land, cluster: k.cluster },
    ...k.apps.map((a) => ({ name: applicationName(env.name, k.id, a.name), wave: waveOf(env, k, a.name), land: k.land, cluster: k.cluster, version: a.version })),
  ]);
}

/** Done means Synced, Healthy and at the pinned version; failed means Degraded or a failed sync. */
export function classify(expected: Expected, app: ArgoApplication | undefined): { state: AppState; detail: string } {
  if (!app) return { state: 'missing', detail: 'not in Argo CD (ApplicationSet not synced yet?)' };
  const sync = app.status?.sync?.status ?? 'Unknown';
  const health = app.status?.health?.status ?? 'Unknown';
  const phase = app.status?.operationState?.phase;
  // Argo CD reports what its last comparison ran against from 3.5 on; before, a Synced
  // Application runs what its spec targets (statusFields in argocd-api.ts).
  const revision = app.status?.sync?.revision || (sync === 'Synced' ? app.spec?.source?.targetRevision : undefined);
  if (health === 'Degraded' || phase === 'Failed' || phase === 'Error') {
    return { state: 'failed', detail: `${health}${phase ? `, sync ${phase}` : ''}${app.status?.health?.message ? `: ${app.status.health.message}` : ''}` };
  }
  const atVersion = expected.version === undefined || revision === expected.version;
  if (sync === 'Synced' && health === 'Healthy' && atVersion) return { state: 'done', detail: 'Synced, Healthy' };
  return { state: 'progressing', detail: `${sync}, ${health}${expected.version && !atVersion ? `, runs ${revision ?? 'unknown'} (pinned ${expected.version})` : ''}` };
}

export function aggregateStatus(env: ResolvedEnvironment, apps: readonly ArgoApplication[]): FleetStatus {
  const byName = new Map(apps.map((a) => [a.metadata.name, a]));
  const groups = { wave: new Map<string, Record<AppState, number>>(), land: new Map<string, Record<AppState, number>>(), cluster: new Map<string, Record<AppState, number>>() };
  const total: Record<AppState, number> = { done: 0, progressing: 0, failed: 0, missing: 0 };
  const problems: { name: string; state: AppState; detail: string }[] = [];
  for (const expected of expectedApplications(env)) {
    const { state, detail } = classify(expected, byName.get(expected.name));
    total[state]++;
    for (const [kind, key] of [['wave', expected.wave], ['land', expected.land], ['cluster', expected.cluster]] as const) {
      const tally = groups[kind].get(key) ?? { done: 0, progressing: 0, failed: 0, missing: 0 };
      tally[state]++;
      groups[kind].set(key, tally);
    }
    if (state !== 'done') problems.push({ name: expected.name, state, detail });
  }
  const rank: Record<AppState, number> = { failed: 0, missing: 1, progressing: 2, done: 3 };
  const tallies = (m: Map<string, Record<AppState, number>>, order?: string[]) =>
    [...m]
      .sort(([a], [b]) => (order ? order.indexOf(a) - order.indexOf(b) : a < b ? -1 : 1))
      .map(([key, t]) => ({ key, ...withTotal(t) }));
  return {
    env: env.name,
    total: withTotal(total),
    byWave: tallies(groups.wave, env.doc.rollout.waves.map((w) => w.name)),
    byLand: tallies(groups.land),
    byCluster: tallies(groups.cluster),
    problems: problems.sort((a, b) => rank[a.state] - rank[b.state] || (a.name < b.name ? -1 : 1)),
    secretsNotSynced: secretsNotSynced(env, byName),
    state: total.failed > 0 ? 'failed' : total.progressing + total.missing === 0 ? 'complete' : env.doc.rollout.halted ? 'halted' : 'in-progress',
    ...(env.doc.rollout.halted ? { halted: env.doc.rollout.halted } : {}),
  };
}

function withTotal(t: Record<AppState, number>): Tally {
  return { ...t, total: t.done + t.progressing + t.failed + t.missing };
}

/** The ExternalSecrets of every Kommune's baseline Application that are not Healthy (Argo CD's own health check for them). */
function secretsNotSynced(env: ResolvedEnvironment, byName: ReadonlyMap<string, ArgoApplication>): FleetStatus['secretsNotSynced'] {
  const out: { kommune: string; secret: string; health: string; message?: string }[] = [];
  for (const k of env.kommunen) {
    const app = byName.get(applicationName(env.name, k.id, 'baseline'));
    for (const r of app?.status?.resources ?? []) {
      if (r.group !== 'external-secrets.io' || r.kind !== 'ExternalSecret') continue;
      const health = r.health?.status ?? 'Unknown';
      if (health !== 'Healthy') out.push({ kommune: k.id, secret: r.name ?? '', health, ...(r.health?.message ? { message: r.health.message } : {}) });
    }
  }
  return out;
}

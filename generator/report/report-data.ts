import type { ResolvedFleet } from '../model/resolve.js';

/** What the report page shows, compact: one row array per Kommune keeps 10,800 × 3 small. */
export interface ReportData {
  /** The date expiry is judged against. */
  readonly asOf: string;
  readonly environments: readonly {
    readonly name: string;
    readonly production: boolean;
    readonly waves: readonly string[];
    readonly clusters: readonly { name: string; entryLevel: string; instance: string }[];
    /** Catalogue apps with their pinned versions, sorted by name. */
    readonly apps: readonly { name: string; pin: string }[];
    /** [id, name, ags, land, wave, cluster, ...version per app ('' when the app is not run)] */
    readonly rows: readonly (readonly string[])[];
    readonly exceptions: readonly { app: string; version: string; scope: string; reason: string; until: string }[];
  }[];
  readonly laender: Readonly<Record<string, string>>;
}

export function reportData(fleet: ResolvedFleet, asOf: string): ReportData {
  const laender: Record<string, string> = {};
  const environments = fleet.environments.map((env) => {
    const apps = Object.entries(env.doc.apps)
      .map(([name, a]) => ({ name, pin: a.version }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const rows = env.kommunen.map((k) => {
      laender[k.land] = k.landName;
      const versions = apps.map((a) => k.apps.find((x) => x.name === a.name)?.version ?? '');
      return [k.id, k.name, k.ags, k.land, k.wave, k.cluster, ...versions];
    });
    return {
      name: env.name,
      production: env.production,
      waves: env.doc.rollout.waves.map((w) => w.name),
      clusters: env.clusters.map((c) => ({ name: c.name, entryLevel: c.entryLevel, instance: c.instance })),
      apps,
      rows,
      exceptions: (env.doc.exceptions ?? []).map((x) => ({ app: x.app, version: x.version, scope: x.wave ? `wave ${x.wave}` : `Kommune ${x.tenant}`, reason: x.reason, until: x.until })),
    };
  });
  return { asOf, environments, laender };
}

import { appSetKey, assignCanaries, type CanaryCandidate } from './canaries.js';
import { secretsFor, type KommuneSecret } from './secrets.js';
import { deepFreeze } from '../deep-freeze.js';
import { landByCode, type LandCode } from '../domain/laender.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';

/** A version other than the environment's pin, granted to one wave or one Kommune until a date. */
export interface VersionException {
  readonly app: string;
  readonly version: string;
  readonly wave?: string;
  readonly tenant?: string;
  readonly reason: string;
  readonly until: string;
}

export interface ResolvedApp {
  readonly name: string;
  readonly repoURL: string;
  readonly chart: string;
  /** The version this Kommune runs: the pin, or a governed exception. */
  readonly version: string;
  /** Kommune-specific Helm values, merged over the defaults every Kommune gets. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** One Kommune in one environment, every default resolved. */
export interface ResolvedKommune {
  readonly id: string;
  readonly name: string;
  readonly ags: string;
  readonly land: LandCode;
  readonly landName: string;
  readonly kind?: string;
  readonly namespace: string;
  readonly cluster: string;
  /** The Kommune's own wave: from its file, else the environment's default. */
  readonly wave: string;
  /** Whether the Kommune file names its wave (automatic canaries never move such a Kommune). */
  readonly waveExplicit: boolean;
  /** ApplicationSets (`<cluster>/<app>`, `baseline` for the baselines) where it is an automatic canary: there its wave is the first. */
  readonly canaryIn: ReadonlySet<string>;
  readonly size: string;
  readonly hostname: string;
  readonly contact?: { readonly name?: string; readonly email: string };
  readonly allowedIPs: readonly string[];
  readonly apps: readonly ResolvedApp[];
  /** The secrets its apps read (ExternalSecrets in its baseline when the environment has a secret store). */
  readonly secrets: readonly KommuneSecret[];
  readonly decommission?: { readonly reason: string; readonly ticket?: string; readonly apps?: readonly string[] };
  /** The input file this Kommune came from, for diagnostics about what it renders to. */
  readonly file: string;
}

export interface ResolvedCluster {
  readonly name: string;
  readonly server: string;
  readonly laender: readonly string[];
  readonly entryLevel: 'vm' | 'managed' | 'platform';
  /** The Argo CD instance managing this cluster. */
  readonly instance: string;
}

export interface ResolvedInstance {
  readonly name: string;
  readonly namespace: string;
  readonly clusters: readonly string[];
  readonly shards: number;
}

export interface ResolvedEnvironment {
  readonly name: string;
  readonly file: string;
  readonly production: boolean;
  readonly doc: EnvironmentDoc;
  readonly clusters: readonly ResolvedCluster[];
  readonly instances: readonly ResolvedInstance[];
  /** Dist folder inside the Git repository Argo CD reads, e.g. dist/prod. */
  readonly repoPath: string;
  readonly oidcGroupPrefix: string;
  /** Kommunen sorted by id. */
  readonly kommunen: readonly ResolvedKommune[];
}

/**
 * An environment whose Kommunen carry only some of their fields: what a render unit that reads no
 * more of them is given (render/render-fleet.ts), so that its fingerprint can cover exactly those.
 */
export type EnvironmentWith<K> = Omit<ResolvedEnvironment, 'kommunen'> & { readonly kommunen: readonly K[] };

/** Where a Kommune runs: all an instance's platform projects read of it. */
export type KommunePlacement = Pick<ResolvedKommune, 'cluster' | 'namespace'>;

/** What the secret backend's file reads of a Kommune. */
export type KommuneSecretAccess = Pick<ResolvedKommune, 'id' | 'cluster' | 'namespace' | 'secrets'>;

export interface ResolvedFleet {
  /** Environments sorted by name. */
  readonly environments: readonly ResolvedEnvironment[];
  /** Kommunen whose files mark them (or some of their apps) for removal, by id. */
  readonly decommissioned: ReadonlyMap<string, { readonly reason: string; readonly apps?: readonly string[]; readonly file: string }>;
}

export interface InputDocs {
  readonly environments: readonly { readonly file: string; readonly doc: EnvironmentDoc }[];
  readonly tenants: readonly { readonly file: string; readonly doc: TenantDoc }[];
}

/**
 * The environment document as everything but an app's own version reads it: the pins
 * (`apps.<app>.version`) left out. Keys of what a bump leaves as it was are made from it.
 */
export function withoutPins(doc: EnvironmentDoc): Readonly<Record<string, unknown>> {
  return { ...doc, apps: Object.fromEntries(Object.entries(doc.apps).map(([name, { version: _pin, ...app }]) => [name, app])) };
}

/** A Kommune's apps in an environment, sorted; one frozen list per list of names (most Kommunen share the defaults). */
export function effectiveApps(t: TenantDoc, e: EnvironmentDoc): readonly string[] {
  const apps = t.apps ?? e.defaults.apps;
  let sorted = sortedApps.get(apps);
  if (!sorted) sortedApps.set(apps, (sorted = Object.freeze([...apps].sort())));
  return sorted;
}

const sortedApps = new WeakMap<readonly string[], readonly string[]>();

/** A Kommune's own hostname is for production; other environments always use <id>.<domain>. */
export function hostnameFor(t: TenantDoc, e: EnvironmentDoc): string {
  return t.hostname !== undefined && isProduction(e) ? t.hostname : `${t.id}.${e.domain}`;
}

export function isProduction(e: EnvironmentDoc): boolean {
  return e.production ?? e.name === 'prod';
}

/** The override if set, else the first cluster (in file order) serving the Land: adding clusters never moves a Kommune. */
export function placeTenant(t: TenantDoc, e: EnvironmentDoc): string | undefined {
  const override = t.cluster?.[e.name];
  if (override !== undefined) return override;
  const land = t.id.split('-')[0]!;
  return e.clusters.find((c) => servesKommune(c, land, t.ags))?.name;
}

/** A cluster serves a Kommune when it serves its Land and, if it names AGS prefixes, one matches. */
export function servesKommune(c: { laender: readonly string[]; agsPrefixes?: readonly string[] }, land: string, ags: string): boolean {
  return (c.laender as readonly string[]).includes(land) && (!c.agsPrefixes || c.agsPrefixes.some((p) => ags.startsWith(p)));
}

export function applicationName(env: string, id: string, app: string): string {
  return `${env}-${id}-${app}`;
}

/** The Argo CD instance of an environment that names none. */
export const DEFAULT_INSTANCE = 'main';

/** Combines validated documents into one model (of only some environments, if given); call only when validation found no errors. */
export function resolveFleet(inputs: InputDocs, only?: readonly string[]): ResolvedFleet {
  const environments = inputs.environments
    .filter(({ doc }) => !only || only.includes(doc.name))
    .sort((a, b) => compare(a.doc.name, b.doc.name))
    .map(({ file, doc: e }) => resolveEnvironment(file, e, inputs.tenants.filter(({ doc: t }) => t.environments.includes(e.name))));
  const decommissioned = new Map(
    inputs.tenants.filter(({ doc }) => doc.decommission).map(({ file, doc }) => [doc.id, { reason: doc.decommission!.reason, apps: doc.decommission!.apps, file }] as const),
  );
  return { environments, decommissioned };
}

/**
 * One environment from its document and its Kommunen's. Parsed documents are never changed (the
 * parse cache hands out frozen ones), so the same document objects resolve to the same model: a
 * change's plan loads base and head from one cache, and an environment whose file and Kommune
 * files have the same bytes on both sides is resolved once (a prod bump leaves dev and test).
 */
function resolveEnvironment(file: string, e: EnvironmentDoc, tenants: readonly { readonly file: string; readonly doc: TenantDoc }[]): ResolvedEnvironment {
  const known = resolvedOf.get(e);
  if (known && known.file === file && sameItems(known.tenants, tenants, (a, b) => a.file === b.file && a.doc === b.doc)) return known.resolved;
  const instances: ResolvedInstance[] = e.argocd.instances?.length
    ? e.argocd.instances.map((i) => ({ name: i.name, namespace: i.namespace, clusters: [...i.clusters], shards: i.shards ?? 1 }))
    : [{ name: DEFAULT_INSTANCE, namespace: e.argocd.namespace, clusters: e.clusters.map((c) => c.name), shards: 1 }];
  const clusters: ResolvedCluster[] = e.clusters.map((c) => ({
    name: c.name,
    server: c.server,
    laender: [...c.laender],
    entryLevel: c.entryLevel,
    instance: instances.find((i) => i.clusters.includes(c.name))!.name,
  }));
  const { candidates, chosen } = canaryChoice(e, tenants.map(({ doc }) => doc));
  const shared = new SharedParts(e);
  const kommunen = tenants
    .map(({ file: tenantFile, doc: t }, i) => withCanaries(e, resolvedKommune(t, e, tenantFile, candidates[i]!.cluster, shared), chosen.get(t.id)))
    .sort((a, b) => compare(a.id, b.id));
  const resolved: ResolvedEnvironment = {
    name: e.name,
    file,
    production: isProduction(e),
    doc: e,
    clusters,
    instances,
    repoPath: `${(e.argocd.path ?? 'dist').replace(/\/+$/, '')}/${e.name}`,
    oidcGroupPrefix: e.argocd.oidcGroupPrefix ?? 'ozg-admins-',
    kommunen,
  };
  resolvedOf.set(e, { file, tenants, resolved });
  return resolved;
}

const resolvedOf = new WeakMap<EnvironmentDoc, { readonly file: string; readonly tenants: readonly { readonly file: string; readonly doc: TenantDoc }[]; readonly resolved: ResolvedEnvironment }>();

/**
 * The parts most Kommunen of an environment have alike, made once: an app at its pin without
 * values of its own, the list of such apps, the secrets of a list of apps, the empty lists. At
 * 10,800 Kommunen × 3 environments that is about 200,000 objects fewer, and what a run costs is
 * mostly the memory it touches. They are shared, so they are frozen: the model is never changed.
 */
class SharedParts {
  private readonly apps = new Map<string, ResolvedApp>();
  private readonly appLists = new Map<string, readonly ResolvedApp[]>();
  private readonly secrets = new Map<string, readonly KommuneSecret[]>();

  constructor(private readonly e: EnvironmentDoc) {}

  app(name: string, version: string): ResolvedApp {
    const key = `${name}\0${version}`;
    let app = this.apps.get(key);
    if (!app) {
      const pin = this.e.apps[name]!;
      app = Object.freeze({ name, repoURL: pin.repoURL, chart: pin.chart, version, values: NO_VALUES });
      this.apps.set(key, app);
    }
    return app;
  }

  /** The same list for the same apps (those made by `app`, which are one object per name and version). */
  appList(apps: ResolvedApp[]): readonly ResolvedApp[] {
    if (apps.some((a) => a.values !== NO_VALUES)) return apps;
    const key = apps.map((a) => `${a.name}\0${a.version}`).join('\0');
    let list = this.appLists.get(key);
    if (!list) this.appLists.set(key, (list = Object.freeze(apps)));
    return list;
  }

  secretsOf(apps: readonly string[], overrides: TenantDoc['secrets']): readonly KommuneSecret[] {
    if (overrides !== undefined) return secretsFor(this.e, apps, overrides);
    const key = apps.join('\0');
    let secrets = this.secrets.get(key);
    if (!secrets) this.secrets.set(key, (secrets = deepFreeze(secretsFor(this.e, apps))));
    return secrets;
  }
}

const NO_VALUES: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_ADDRESSES: readonly string[] = Object.freeze([]);
/** Not a canary anywhere. A Set cannot be frozen: nothing adds to a resolved Kommune's. */
const NO_CANARIES: ReadonlySet<string> = new Set();

/**
 * A Kommune this process resolved before from the same documents, else resolved now: the two
 * sides of a plan of Kommune edits or onboarding differ in a few Kommune files, and the other side
 * takes every other Kommune as it is. Parsed documents are never changed, and a Kommune's model
 * reads only its own document, the environment's and its cluster.
 */
function resolvedKommune(t: TenantDoc, e: EnvironmentDoc, file: string, cluster: string, shared: SharedParts): ResolvedKommune {
  let ofEnvironment = kommunenOf.get(e);
  if (!ofEnvironment) kommunenOf.set(e, (ofEnvironment = new WeakMap()));
  const known = ofEnvironment.get(t);
  if (known && known.file === file && known.cluster === cluster) return known;
  const k = resolveKommune(t, e, file, cluster, shared);
  ofEnvironment.set(t, k);
  return k;
}

const kommunenOf = new WeakMap<EnvironmentDoc, WeakMap<TenantDoc, ResolvedKommune>>();

function resolveKommune(t: TenantDoc, e: EnvironmentDoc, file: string, cluster: string, shared: SharedParts): ResolvedKommune {
  const land = t.id.split('-')[0] as LandCode;
  const wave = t.wave ?? e.defaults.wave;
  const size = t.size ?? e.defaults.size;
  const hostname = hostnameFor(t, e);
  const names = effectiveApps(t, e);
  const apps = shared.appList(
    names.map((name): ResolvedApp => {
      const pin = e.apps[name]!;
      const version = versionFor(e, name, t.id, wave) ?? pin.version;
      const values = t.values?.[name] as Record<string, unknown> | undefined;
      return values === undefined ? shared.app(name, version) : { name, repoURL: pin.repoURL, chart: pin.chart, version, values };
    }),
  );
  return {
    id: t.id,
    name: t.name,
    ags: t.ags,
    land,
    landName: landByCode(land)!.name,
    kind: t.kind,
    namespace: t.id,
    cluster,
    wave,
    waveExplicit: t.wave !== undefined,
    canaryIn: NO_CANARIES,
    size,
    hostname,
    contact: t.contact,
    allowedIPs: t.allowedIPs?.length ? [...t.allowedIPs].sort() : NO_ADDRESSES,
    apps,
    secrets: shared.secretsOf(names, t.secrets),
    decommission: t.decommission,
    file,
  };
}

/** The wave of a Kommune's Application of `app` (`baseline` for its baseline): the first where it is an automatic canary. */
export function waveOf(env: { doc: EnvironmentDoc }, k: ResolvedKommune, app: string): string {
  return k.canaryIn.has(appSetKey(k.cluster, app)) ? env.doc.rollout.waves[0]!.name : k.wave;
}

/** How the canary choice sees a Kommune of an environment: placement, wave, preference and ApplicationSets. */
export function canaryCandidate(t: TenantDoc, e: EnvironmentDoc): CanaryCandidate {
  const apps = effectiveApps(t, e);
  let sets = applicationSetsOf.get(apps);
  if (!sets) applicationSetsOf.set(apps, (sets = Object.freeze(['baseline', ...apps])));
  return { id: t.id, cluster: placeTenant(t, e)!, wave: t.wave ?? e.defaults.wave, waveExplicit: t.wave !== undefined, canary: t.canary, apps: sets };
}

/** `baseline` and a list of apps, one per list (`effectiveApps` gives the same list for the same names). */
const applicationSetsOf = new WeakMap<readonly string[], readonly string[]>();

/** An environment's Kommunen as the canary choice sees them (in the order given), and the choice. */
export interface CanaryChoice {
  readonly candidates: readonly CanaryCandidate[];
  /** Kommune id → the ApplicationSets where it is an automatic canary; empty without rollout.canary. */
  readonly chosen: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The canary choice of an environment, shared by the rollout-coverage rule and resolve. It depends
 * on the Kommune documents and on a few of the environment's fields only, so a change that leaves
 * those alone (a pin bump, an exception) keeps it, in the plan's base as in its head. The same
 * document objects are the same Kommunen: parsed documents are never changed. One entry per
 * environment name is kept (about 0.2 s per environment at 10,800 Kommunen).
 */
export function canaryChoice(e: EnvironmentDoc, tenants: readonly TenantDoc[]): CanaryChoice {
  const first = e.rollout.waves[0]!.name;
  const key = JSON.stringify([e.name, e.clusters, e.defaults.wave, e.defaults.apps, first, e.rollout.canary ?? null]);
  const last = lastChoice.get(e.name);
  if (last && last.key === key && sameItems(last.tenants, tenants, (a, b) => a === b)) return last.choice;
  const candidates = tenants.map((t) => canaryCandidate(t, e));
  const per = e.rollout.canary?.perApplicationSet;
  const choice = { candidates, chosen: per ? assignCanaries(e.name, first, per, candidates) : new Map<string, Set<string>>() };
  lastChoice.set(e.name, { key, tenants, choice });
  return choice;
}

const lastChoice = new Map<string, { readonly key: string; readonly tenants: readonly TenantDoc[]; readonly choice: CanaryChoice }>();

function sameItems<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/** Marks an automatic canary and gives it the first wave's exceptions. */
function withCanaries(e: EnvironmentDoc, k: ResolvedKommune, canaryIn: ReadonlySet<string> | undefined): ResolvedKommune {
  if (!canaryIn) return k;
  const first = e.rollout.waves[0]!.name;
  const apps = k.apps.map((a) => (canaryIn.has(appSetKey(k.cluster, a.name)) ? { ...a, version: versionFor(e, a.name, k.id, first) ?? e.apps[a.name]!.version } : a));
  return { ...k, canaryIn, apps };
}

/** A Kommune's own exception wins over its wave's. */
function versionFor(e: EnvironmentDoc, app: string, tenant: string, wave: string): string | undefined {
  const exceptions = e.exceptions ?? [];
  return (
    exceptions.find((x) => x.app === app && x.tenant === tenant)?.version ??
    exceptions.find((x) => x.app === app && x.wave === wave)?.version
  );
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}


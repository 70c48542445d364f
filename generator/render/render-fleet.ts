import { withoutPins, type EnvironmentWith, type KommunePlacement, type KommuneSecretAccess, type ResolvedCluster, type ResolvedEnvironment, type ResolvedFleet, type ResolvedInstance, type ResolvedKommune } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import { renderBootstrap } from './argocd-bootstrap.js';
import { renderClusterAddons, renderPlatformProjects } from './cluster-addons.js';
import { renderApplicationSet } from './kommune-apps.js';
import { renderKommuneBaseline } from './kommune-baseline.js';
import { renderKommuneProject } from './kommune-project.js';
import { renderSecretBackend } from './secret-backend.js';
import { digestOf, fingerprintJson } from './fingerprint.js';
import type { RenderedFile } from './serialize.js';

/** The generator's output: two trees it owns, each a list of files relative to its own folder. */
export interface RenderedTree {
  /** The GitOps tree Argo CD reads: dist/<env>/... */
  readonly dist: readonly RenderedFile[];
  /** What an admin applies once per Argo CD instance: argocd/<instance>/... */
  readonly bootstrap: readonly RenderedFile[];
}

/** The files one Kommune contributes on its own: baseline and project. Independent of every other Kommune. */
export function renderKommune(env: ResolvedEnvironment, k: ResolvedKommune): RenderedFile[] {
  return [renderKommuneBaseline(env, k), renderKommuneProject(env, k)];
}

/** A part of the output rendered in one piece, with a fingerprint of exactly the values it is rendered from. */
export interface RenderUnit {
  /** `instance:<env>/<instance>`, `addons:<env>/<cluster>`, `secrets:<env>/<cluster>` or `appset:<env>/<cluster>/<app>`. */
  readonly key: string;
  /**
   * A digest of the input files it is rendered from, by name and bytes (`inputScopes`): the same
   * key renders the same files, and it costs nothing per Kommune. Undefined without the files' keys.
   */
  readonly inputKey?: string;
  /** Taken on first use: a unit whose input key settles it never needs it. */
  readonly fingerprint: string;
  /**
   * A digest of what the unit renders from besides its Kommunen (the environment's document
   * without pins, its cluster or instance, its app and that app's pin), which its fingerprint
   * includes: two units whose shapes differ have different fingerprints, known without digesting
   * 900 Kommunen (a pin bump's plan).
   */
  readonly shape: string;
  render(): RenderedFile[];
}

/**
 * What the units of one environment are made from, as keys of input files (name and bytes), so
 * that "unchanged" can be proven without resolving values into fingerprints. An environment
 * resolves from its own document and its Kommunen's files (model/resolve.ts); a Kommune's model
 * depends on the other Kommunen of its cluster only (its placement is its own, the canary choice
 * is per cluster and app). A pin, `apps.<app>.version`, is read only as that app's version
 * (resolve, and the ApplicationSet of that app): so it is kept out of `environment` and enters
 * only the keys of that app's ApplicationSets, and a bump leaves every other unit's key as it was.
 */
export interface InputScopes {
  /** The environment file's name and document, every pin left out. */
  readonly environment: string;
  /** Cluster → the names and keys of its Kommunen's files; undefined when one is not known. */
  readonly clusters: ReadonlyMap<string, string | undefined>;
  /** Cluster → what the input keys of its Kommunen's own files start with (`kommuneInputKey`). */
  readonly kommunePrefixes: ReadonlyMap<string, string | undefined>;
}

/** An environment's input scopes from the keys of its input files (load/load-inputs.ts: cacheKeys); undefined without them. */
export function inputScopes(env: ResolvedEnvironment, fileKeys: ReadonlyMap<string, string> | undefined): InputScopes | undefined {
  if (!fileKeys) return undefined;
  const known = scopesOf.get(env);
  if (known?.fileKeys === fileKeys) return known.scopes;
  const byCluster = new Map<string, string[] | undefined>(env.clusters.map((c) => [c.name, []]));
  for (const k of env.kommunen) {
    const key = fileKeys.get(k.file);
    const parts = byCluster.get(k.cluster);
    if (key === undefined || parts === undefined) byCluster.set(k.cluster, undefined);
    else parts.push(k.file, key);
  }
  const environment = digestOf(['environment', env.file, fingerprintJson(withoutPins(env.doc))]);
  const clusters = new Map([...byCluster].map(([cluster, parts]) => [cluster, parts && digestOf(parts)]));
  const kommunePrefixes = new Map([...clusters].map(([cluster, key]) => [cluster, key && digestOf(['kommune', environment, key])]));
  const scopes: InputScopes = { environment, clusters, kommunePrefixes };
  scopesOf.set(env, { fileKeys, scopes });
  return scopes;
}

const scopesOf = new WeakMap<ResolvedEnvironment, { readonly fileKeys: ReadonlyMap<string, string>; readonly scopes: InputScopes }>();

/**
 * The input key of a Kommune's own files: they do not read pins (kommune-baseline.ts,
 * kommune-project.ts), but its canary choice reads its cluster. Its cluster's prefix and its id,
 * not a digest: 32,400 digests per run cost more than the longer keys in the run record.
 */
export function kommuneInputKey(scopes: InputScopes | undefined, k: ResolvedKommune): string | undefined {
  const prefix = scopes?.kommunePrefixes.get(k.cluster);
  return prefix === undefined ? undefined : `${prefix}/${k.id}`;
}

/**
 * The shared files of one environment as render units: per Argo CD instance its platform
 * projects; per cluster its add-ons, its secret backend file and each of its ApplicationSets.
 * Each unit renders from a copy of the environment cut down to what it needs (only its own
 * Kommunen, an ApplicationSet only its own app's pin and each Kommune's entry for that app), and
 * its fingerprint is taken of exactly that copy, so it cannot miss an input: a Kommune edit
 * re-renders that Kommune's ApplicationSets, a pin change the ApplicationSets of that app. With
 * the keys of the input files, each unit has an input key too (`inputScopes`).
 */
export function environmentUnits(env: ResolvedEnvironment, fileKeys?: ReadonlyMap<string, string>): RenderUnit[] {
  // The model is immutable: a bump's generate and its plan share the units of the same environment.
  const known = unitsOf.get(env);
  if (known && known.fileKeys === fileKeys) return known.units;
  const units = cutIntoUnits(env, inputScopes(env, fileKeys));
  unitsOf.set(env, { fileKeys, units });
  return units;
}

const unitsOf = new WeakMap<ResolvedEnvironment, { readonly fileKeys?: ReadonlyMap<string, string>; readonly units: RenderUnit[] }>();

/** What a unit renders: its files' function and the Kommunen (indices into the environment's) it renders from. */
type UnitPlan = { readonly key: string; readonly inputKey?: string; readonly fingerprint: () => string; readonly shape: () => string; readonly own: readonly number[] } & (
  | { readonly kind: 'instance'; readonly instance: ResolvedInstance }
  | { readonly kind: 'addons' | 'secrets'; readonly cluster: ResolvedCluster }
  | { readonly kind: 'appset'; readonly cluster: ResolvedCluster; readonly app: string }
);

/** What an instance's platform projects read of a Kommune (render/cluster-addons.ts): all they are given of it. */
function placementOf(k: ResolvedKommune): KommunePlacement {
  return { cluster: k.cluster, namespace: k.namespace };
}

/** What the secret backend's file reads of a Kommune (render/secret-backend.ts): all it is given of it. */
function secretAccessOf(k: ResolvedKommune): KommuneSecretAccess {
  return { id: k.id, cluster: k.cluster, namespace: k.namespace, secrets: k.secrets };
}

function cutIntoUnits(env: ResolvedEnvironment, scopes: InputScopes | undefined): RenderUnit[] {
  // Planned in a function of its own, so that the render closures below do not keep the
  // serialized parts alive (closures share their function's scope).
  const doc: EnvironmentDoc = { ...env.doc, apps: {} };
  const cut = (own: readonly number[], only?: string): ResolvedEnvironment => ({
    ...env,
    doc: only ? { ...doc, apps: { [only]: env.doc.apps[only]! } } : doc,
    kommunen: own.map((i) => {
      const k = env.kommunen[i]!;
      return { ...k, apps: only ? k.apps.filter((a) => a.name === only) : [] };
    }),
  });
  // Units that read a few fields of each Kommune are given only those: their fingerprints cover
  // exactly these (planUnits), and a Kommune's name or contact leaves them as they are.
  const cutTo = <K>(own: readonly number[], part: (k: ResolvedKommune) => K): EnvironmentWith<K> => ({ ...env, doc, kommunen: own.map((i) => part(env.kommunen[i]!)) });
  return planUnits(env, doc, scopes).map((plan): RenderUnit => {
    const { key, inputKey } = plan;
    const unit = (render: () => RenderedFile[]): RenderUnit => ({
      key,
      inputKey,
      get fingerprint() {
        return plan.fingerprint();
      },
      get shape() {
        return plan.shape();
      },
      render,
    });
    switch (plan.kind) {
      case 'instance':
        return unit(() => [renderPlatformProjects(cutTo(plan.own, placementOf), plan.instance)]);
      case 'addons':
        return unit(() => optional(renderClusterAddons(cut([]), plan.cluster)));
      case 'secrets':
        return unit(() => optional(renderSecretBackend(cutTo(plan.own, secretAccessOf), plan.cluster)));
      case 'appset':
        return unit(() => optional(renderApplicationSet(cut(plan.own, plan.app === 'baseline' ? undefined : plan.app), plan.cluster, plan.app)));
    }
  });
}

/**
 * Each unit's fingerprint, over the same cut-down values `cutIntoUnits` renders it from, taken
 * when first asked: its shape (what it renders from besides its Kommunen) and its Kommunen's
 * parts. Each part is serialized once (a Kommune's part without its apps enters every unit of its
 * cluster) and hashed as it is into each unit's digest: one digest per unit, not one more per
 * Kommune (10,800 small digests cost 20 to 35 ms, hashing their text into one 5 ms). And each
 * unit's input key, from the input scopes, when known.
 */
function planUnits(env: ResolvedEnvironment, doc: EnvironmentDoc, scopes: InputScopes | undefined): UnitPlan[] {
  const environmentDigest = once(() => digestOf([fingerprintJson({ ...env, doc, kommunen: [] })]));
  // A Kommune's part enters up to ten units (every unit of its cluster that reads it): serialized once.
  const part = (of: (k: ResolvedKommune) => unknown) => {
    const jsons: (string | undefined)[] = [];
    return (i: number) => (jsons[i] ??= fingerprintJson(of(env.kommunen[i]!)));
  };
  const coreJson = part((k) => ({ ...k, apps: [], canaryIn: [...k.canaryIn].sort() }));
  // The units given only some fields of each Kommune (cutIntoUnits: cutTo).
  const placementJson = part(placementOf);
  const secretAccessJson = part(secretAccessOf);
  const appJson = (i: number, app: string) => fingerprintJson(env.kommunen[i]!.apps.find((a) => a.name === app));
  const inputKey = (key: string, ...parts: (string | undefined)[]) => (scopes && parts.every((p) => p !== undefined) ? digestOf([key, scopes.environment, ...(parts as string[])]) : undefined);
  /** A unit's shape, and its fingerprint: the shape and the parts of the Kommunen it renders from. */
  const digests = (shapeParts: readonly string[], kommunen: () => string[]) => {
    const shape = once(() => digestOf(['unit', environmentDigest(), ...shapeParts]));
    return { shape, fingerprint: once(() => digestOf([shape(), ...kommunen()])) };
  };
  const plans: UnitPlan[] = [];
  // Kommunen by cluster in one pass: at 10,800 Kommunen and 54 clusters per environment, a pass per cluster was 0.1 s.
  const byCluster = new Map<string, number[]>();
  env.kommunen.forEach((k, i) => {
    const list = byCluster.get(k.cluster);
    if (list) list.push(i);
    else byCluster.set(k.cluster, [i]);
  });
  const ofCluster = (cluster: string): readonly number[] => byCluster.get(cluster) ?? [];
  for (const instance of env.instances) {
    // The same clusters renderPlatformProjects takes: those whose instance this is.
    const clusters = env.clusters.filter((c) => c.instance === instance.name).map((c) => c.name);
    const own = clusters.flatMap(ofCluster).sort((a, b) => a - b);
    const key = `instance:${env.name}/${instance.name}`;
    plans.push({ kind: 'instance', key, inputKey: inputKey(key, ...clusters.map((c) => scopes?.clusters.get(c))), ...digests(['instance', instance.name], () => own.map(placementJson)), instance, own });
  }
  for (const cluster of env.clusters) {
    const own = ofCluster(cluster.name);
    const kommunen = scopes?.clusters.get(cluster.name);
    const addons = `addons:${env.name}/${cluster.name}`;
    const secrets = `secrets:${env.name}/${cluster.name}`;
    const baseline = `appset:${env.name}/${cluster.name}/baseline`;
    plans.push(
      { kind: 'addons', key: addons, inputKey: inputKey(addons), ...digests(['addons', cluster.name], () => []), cluster, own: [] },
      { kind: 'secrets', key: secrets, inputKey: inputKey(secrets, kommunen), ...digests(['secrets', cluster.name], () => own.map(secretAccessJson)), cluster, own },
      { kind: 'appset', key: baseline, inputKey: inputKey(baseline, kommunen), ...digests(['appset', cluster.name, 'baseline'], () => own.map(coreJson)), cluster, app: 'baseline', own },
    );
    // The Kommunen of each app, in one pass over the cluster's (in their order).
    const usersOf = new Map<string, number[]>();
    for (const i of own) {
      for (const { name } of env.kommunen[i]!.apps) {
        const users = usersOf.get(name);
        if (!users) usersOf.set(name, [i]);
        else if (users[users.length - 1] !== i) users.push(i);
      }
    }
    for (const app of [...usersOf.keys()].sort()) {
      const users = usersOf.get(app)!;
      const key = `appset:${env.name}/${cluster.name}/${app}`;
      const unitDigests = digests(['appset', cluster.name, app, fingerprintJson(env.doc.apps[app])], () => users.flatMap((i) => [coreJson(i), appJson(i, app)]));
      plans.push({ kind: 'appset', key, inputKey: inputKey(key, env.doc.apps[app]?.version, kommunen), ...unitDigests, cluster, app, own: users });
    }
  }
  return plans;
}

/** A value computed on first use. */
function once<T>(compute: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: compute() }).v;
}

function optional(file: RenderedFile | undefined): RenderedFile[] {
  return file ? [file] : [];
}

/**
 * Every layer of the selected environments in one list, rendered directly (tests and the bench's
 * floors; generate goes unit by unit through check/render-outputs.ts).
 */
export function renderFleet(fleet: ResolvedFleet, only?: readonly string[]): RenderedTree {
  const envs = fleet.environments.filter((e) => !only || only.includes(e.name));
  const shared = envs.flatMap((env) => environmentUnits(env).flatMap((unit) => unit.render()));
  const kommunen = envs.flatMap((env) => env.kommunen.flatMap((k) => renderKommune(env, k)));
  return { dist: [...shared, ...kommunen], bootstrap: renderBootstrap(fleet) };
}

import type { ResolvedCluster, ResolvedEnvironment, ResolvedFleet, ResolvedInstance, ResolvedKommune } from '../model/resolve.js';
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
  readonly fingerprint: string;
  render(): RenderedFile[];
}

/**
 * The shared files of one environment as render units: per Argo CD instance its platform
 * projects; per cluster its add-ons, its secret backend file and each of its ApplicationSets.
 * Each unit renders from a copy of the environment cut down to what it needs (only its own
 * Kommunen, an ApplicationSet only its own app's pin and each Kommune's entry for that app), and
 * its fingerprint is taken of exactly that copy, so it cannot miss an input: a Kommune edit
 * re-renders that Kommune's ApplicationSets, a pin change the ApplicationSets of that app.
 */
export function environmentUnits(env: ResolvedEnvironment): RenderUnit[] {
  // The model is immutable: a bump's generate and its plan share the units of the same environment.
  let units = unitsOf.get(env);
  if (!units) {
    units = cutIntoUnits(env);
    unitsOf.set(env, units);
  }
  return units;
}

const unitsOf = new WeakMap<ResolvedEnvironment, RenderUnit[]>();

/** What a unit renders: its files' function and the Kommunen (indices into the environment's) it renders from. */
type UnitPlan =
  | { readonly kind: 'instance'; readonly key: string; readonly fingerprint: string; readonly instance: ResolvedInstance; readonly own: readonly number[] }
  | { readonly kind: 'addons' | 'secrets'; readonly key: string; readonly fingerprint: string; readonly cluster: ResolvedCluster; readonly own: readonly number[] }
  | { readonly kind: 'appset'; readonly key: string; readonly fingerprint: string; readonly cluster: ResolvedCluster; readonly app: string; readonly own: readonly number[] };

function cutIntoUnits(env: ResolvedEnvironment): RenderUnit[] {
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
  return planUnits(env, doc).map((plan): RenderUnit => {
    const { key, fingerprint } = plan;
    switch (plan.kind) {
      case 'instance':
        return { key, fingerprint, render: () => [renderPlatformProjects(cut(plan.own), plan.instance)] };
      case 'addons':
        return { key, fingerprint, render: () => optional(renderClusterAddons(cut([]), plan.cluster)) };
      case 'secrets':
        return { key, fingerprint, render: () => optional(renderSecretBackend(cut(plan.own), plan.cluster)) };
      case 'appset':
        return { key, fingerprint, render: () => optional(renderApplicationSet(cut(plan.own, plan.app === 'baseline' ? undefined : plan.app), plan.cluster, plan.app)) };
    }
  });
}

/**
 * Each unit's fingerprint, over the same cut-down values `cutIntoUnits` renders it from. Each
 * part is serialized once; a Kommune's part without its apps is digested once (it enters every
 * unit of its cluster), its apps' parts go into one unit each as they are.
 */
function planUnits(env: ResolvedEnvironment, doc: EnvironmentDoc): UnitPlan[] {
  const environmentDigest = digestOf([fingerprintJson({ ...env, doc, kommunen: [] })]);
  // A Kommune's part enters up to ten units: digested once, its digest enters them.
  const coreDigest = env.kommunen.map((k) => digestOf([fingerprintJson({ ...k, apps: [], canaryIn: [...k.canaryIn].sort() })]));
  const appJson = env.kommunen.map((k) => new Map(k.apps.map((a) => [a.name, fingerprintJson(a)])));
  const plans: UnitPlan[] = [];
  for (const instance of env.instances) {
    // The same clusters renderPlatformProjects takes: those whose instance this is.
    const clusters = new Set(env.clusters.filter((c) => c.instance === instance.name).map((c) => c.name));
    const own = indices(env, (k) => clusters.has(k.cluster));
    plans.push({ kind: 'instance', key: `instance:${env.name}/${instance.name}`, fingerprint: digestOf(['instance', environmentDigest, instance.name, ...own.map((i) => coreDigest[i]!)]), instance, own });
  }
  for (const cluster of env.clusters) {
    const own = indices(env, (k) => k.cluster === cluster.name);
    const ownDigests = own.map((i) => coreDigest[i]!);
    plans.push(
      { kind: 'addons', key: `addons:${env.name}/${cluster.name}`, fingerprint: digestOf(['addons', environmentDigest, cluster.name]), cluster, own: [] },
      { kind: 'secrets', key: `secrets:${env.name}/${cluster.name}`, fingerprint: digestOf(['secrets', environmentDigest, cluster.name, ...ownDigests]), cluster, own },
      { kind: 'appset', key: `appset:${env.name}/${cluster.name}/baseline`, fingerprint: digestOf(['appset', environmentDigest, cluster.name, 'baseline', ...ownDigests]), cluster, app: 'baseline', own },
    );
    for (const app of [...new Set(own.flatMap((i) => [...appJson[i]!.keys()]))].sort()) {
      const users = own.filter((i) => appJson[i]!.has(app));
      const fingerprint = digestOf(['appset', environmentDigest, cluster.name, app, fingerprintJson(env.doc.apps[app]), ...users.flatMap((i) => [coreDigest[i]!, appJson[i]!.get(app)!])]);
      plans.push({ kind: 'appset', key: `appset:${env.name}/${cluster.name}/${app}`, fingerprint, cluster, app, own: users });
    }
  }
  return plans;
}

function indices(env: ResolvedEnvironment, keep: (k: ResolvedKommune) => boolean): number[] {
  return env.kommunen.flatMap((k, i) => (keep(k) ? [i] : []));
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

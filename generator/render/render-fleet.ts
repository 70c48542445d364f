import type { ResolvedEnvironment, ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
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

/** The files shared by many Kommunen of one environment: add-ons, platform projects, ApplicationSets, secret backend. */
export function renderEnvironmentShared(env: ResolvedEnvironment): RenderedFile[] {
  return environmentUnits(env).flatMap((unit) => unit.render());
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

function cutIntoUnits(env: ResolvedEnvironment): RenderUnit[] {
  const doc: EnvironmentDoc = { ...env.doc, apps: {} };
  // Each part is serialized once; a unit's fingerprint is one digest over its parts (one hash
  // per unit, not per part: at 10,800 Kommunen creating hashes costs more than hashing bytes).
  const environmentDigest = digestOf([fingerprintJson({ ...env, doc, kommunen: [] })]);
  const core = env.kommunen.map((k): ResolvedKommune => ({ ...k, apps: [] }));
  const coreJson = core.map((k) => fingerprintJson(k));
  const apps = env.kommunen.map((k) => new Map(k.apps.map((a) => [a.name, { app: a, json: fingerprintJson(a) }])));
  const cut = (kommunen: readonly ResolvedKommune[], cutDoc = doc): ResolvedEnvironment => ({ ...env, doc: cutDoc, kommunen });

  const units: RenderUnit[] = [];
  for (const instance of env.instances) {
    // The same clusters renderPlatformProjects takes: those whose instance this is.
    const clusters = new Set(env.clusters.filter((c) => c.instance === instance.name).map((c) => c.name));
    const own = indices(env, (k) => clusters.has(k.cluster));
    const scoped = cut(own.map((i) => core[i]!));
    units.push({
      key: `instance:${env.name}/${instance.name}`,
      fingerprint: digestOf(['instance', environmentDigest, instance.name, ...own.map((i) => coreJson[i]!)]),
      render: () => [renderPlatformProjects(scoped, instance)],
    });
  }
  for (const cluster of env.clusters) {
    const own = indices(env, (k) => k.cluster === cluster.name);
    const withoutApps = cut(own.map((i) => core[i]!));
    const ownJson = own.map((i) => coreJson[i]!);
    const addons = cut([]);
    units.push(
      { key: `addons:${env.name}/${cluster.name}`, fingerprint: digestOf(['addons', environmentDigest, cluster.name]), render: () => optional(renderClusterAddons(addons, cluster)) },
      { key: `secrets:${env.name}/${cluster.name}`, fingerprint: digestOf(['secrets', environmentDigest, cluster.name, ...ownJson]), render: () => optional(renderSecretBackend(withoutApps, cluster)) },
      { key: `appset:${env.name}/${cluster.name}/baseline`, fingerprint: digestOf(['appset', environmentDigest, cluster.name, 'baseline', ...ownJson]), render: () => optional(renderApplicationSet(withoutApps, cluster, 'baseline')) },
    );
    const appNames = [...new Set(own.flatMap((i) => [...apps[i]!.keys()]))].sort();
    for (const app of appNames) {
      const users = own.filter((i) => apps[i]!.has(app));
      const pin = env.doc.apps[app]!;
      const scoped = cut(users.map((i) => ({ ...core[i]!, apps: [apps[i]!.get(app)!.app] })), { ...doc, apps: { [app]: pin } });
      units.push({
        key: `appset:${env.name}/${cluster.name}/${app}`,
        fingerprint: digestOf(['appset', environmentDigest, cluster.name, app, fingerprintJson(pin), ...users.flatMap((i) => [coreJson[i]!, apps[i]!.get(app)!.json])]),
        render: () => optional(renderApplicationSet(scoped, cluster, app)),
      });
    }
  }
  return units;
}

function indices(env: ResolvedEnvironment, keep: (k: ResolvedKommune) => boolean): number[] {
  return env.kommunen.flatMap((k, i) => (keep(k) ? [i] : []));
}

function optional(file: RenderedFile | undefined): RenderedFile[] {
  return file ? [file] : [];
}

/** Everything but the per-Kommune files: shared dist/ files of the selected environments, and the bootstrap. */
export function renderShared(fleet: ResolvedFleet, only?: readonly string[]): RenderedTree {
  const dist: RenderedFile[] = [];
  for (const env of fleet.environments) {
    if (only && !only.includes(env.name)) continue;
    dist.push(...renderEnvironmentShared(env));
  }
  return { dist, bootstrap: renderBootstrap(fleet) };
}

/** Every layer of every environment in one list (small fleets and tests; generate renders Kommunen in workers). */
export function renderFleet(fleet: ResolvedFleet, only?: readonly string[]): RenderedTree {
  const shared = renderShared(fleet, only);
  const kommunen = fleet.environments.filter((e) => !only || only.includes(e.name)).flatMap((env) => env.kommunen.flatMap((k) => renderKommune(env, k)));
  return { dist: [...shared.dist, ...kommunen], bootstrap: shared.bootstrap };
}

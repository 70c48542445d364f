import type { ResolvedEnvironment, ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { renderBootstrap } from './argocd-bootstrap.js';
import { renderClusterAddons, renderPlatformProjects } from './cluster-addons.js';
import { renderClusterApplicationSets } from './kommune-apps.js';
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
  /** `instance:<env>/<instance>` or `cluster:<env>/<cluster>`. */
  readonly key: string;
  readonly fingerprint: string;
  render(): RenderedFile[];
}

/**
 * The shared files of one environment as render units: one per Argo CD instance (its platform
 * projects, which list the namespaces of its clusters' Kommunen) and one per cluster (its add-ons,
 * ApplicationSets and secret backend file). Each unit renders from the environment with only its
 * own Kommunen, the very value its fingerprint is taken of, so the fingerprint cannot miss an
 * input: a Kommune edit re-renders one instance and one cluster per environment, a pin change
 * every cluster of one environment.
 */
export function environmentUnits(env: ResolvedEnvironment): RenderUnit[] {
  const withoutKommunen = fingerprintJson({ ...env, kommunen: [] });
  const kommuneJson = env.kommunen.map((k) => fingerprintJson(k));
  const scoped = (keep: (cluster: string) => boolean) => {
    const own = env.kommunen.flatMap((k, i) => (keep(k.cluster) ? [i] : []));
    return { env: { ...env, kommunen: own.map((i) => env.kommunen[i]!) } as ResolvedEnvironment, json: own.map((i) => kommuneJson[i]!) };
  };
  const units: RenderUnit[] = [];
  for (const instance of env.instances) {
    // The same clusters renderPlatformProjects takes: those whose instance this is.
    const clusters = new Set(env.clusters.filter((c) => c.instance === instance.name).map((c) => c.name));
    const own = scoped((cluster) => clusters.has(cluster));
    units.push({
      key: `instance:${env.name}/${instance.name}`,
      fingerprint: digestOf(['instance', withoutKommunen, instance.name, ...own.json]),
      render: () => [renderPlatformProjects(own.env, instance)],
    });
  }
  for (const cluster of env.clusters) {
    const own = scoped((name) => name === cluster.name);
    units.push({
      key: `cluster:${env.name}/${cluster.name}`,
      fingerprint: digestOf(['cluster', withoutKommunen, cluster.name, ...own.json]),
      render: () => {
        const addons = renderClusterAddons(own.env, cluster);
        const backend = renderSecretBackend(own.env, cluster);
        return [...(addons ? [addons] : []), ...renderClusterApplicationSets(own.env, cluster), ...(backend ? [backend] : [])];
      },
    });
  }
  return units;
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

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

/** The files shared by many Kommunen of one environment: add-ons, platform projects, ApplicationSets. */
export function renderEnvironmentShared(env: ResolvedEnvironment): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const instance of env.instances) files.push(renderPlatformProjects(env, instance));
  for (const cluster of env.clusters) {
    const addons = renderClusterAddons(env, cluster);
    if (addons) files.push(addons);
    files.push(...renderClusterApplicationSets(env, cluster));
  }
  const backend = renderSecretBackend(env);
  if (backend) files.push(backend);
  return files;
}

/** A part of the output rendered in one piece, with a fingerprint of exactly the values it is rendered from. */
export interface RenderUnit {
  /** `<env>` or `<env>/<cluster>`. */
  readonly key: string;
  readonly fingerprint: string;
  render(): RenderedFile[];
}

/**
 * The shared files of one environment as render units: one per cluster (its add-ons and
 * ApplicationSets) and one for the environment (platform projects and the secret backend, which
 * list every Kommune). A cluster unit renders from the environment with only that cluster's
 * Kommunen, the very value its fingerprint is taken of, so the fingerprint cannot miss an input:
 * a Kommune edit re-renders its own cluster's unit, a pin change every cluster of one environment.
 */
export function environmentUnits(env: ResolvedEnvironment): RenderUnit[] {
  const kommuneJson = env.kommunen.map((k) => fingerprintJson(k));
  const withoutKommunen = fingerprintJson({ ...env, kommunen: [] });
  const units: RenderUnit[] = [
    {
      key: env.name,
      fingerprint: digestOf(['environment', withoutKommunen, ...kommuneJson]),
      render: () => {
        const files = env.instances.map((instance) => renderPlatformProjects(env, instance));
        const backend = renderSecretBackend(env);
        return backend ? [...files, backend] : files;
      },
    },
  ];
  for (const cluster of env.clusters) {
    const own = env.kommunen.flatMap((k, i) => (k.cluster === cluster.name ? [i] : []));
    const scoped: ResolvedEnvironment = { ...env, kommunen: own.map((i) => env.kommunen[i]!) };
    units.push({
      key: `${env.name}/${cluster.name}`,
      fingerprint: digestOf(['cluster', withoutKommunen, cluster.name, ...own.map((i) => kommuneJson[i]!)]),
      render: () => {
        const addons = renderClusterAddons(scoped, cluster);
        return [...(addons ? [addons] : []), ...renderClusterApplicationSets(scoped, cluster)];
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

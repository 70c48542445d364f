import type { ResolvedEnvironment, ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { renderBootstrap } from './argocd-bootstrap.js';
import { renderClusterAddons, renderPlatformProjects } from './cluster-addons.js';
import { renderClusterApplicationSets } from './kommune-apps.js';
import { renderKommuneBaseline } from './kommune-baseline.js';
import { renderKommuneProject } from './kommune-project.js';
import { renderSecretBackend } from './secret-backend.js';
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

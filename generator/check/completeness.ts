import type { ResolvedEnvironment } from '../model/resolve.js';
import { baselinePath } from '../render/kommune-baseline.js';
import { kommuneProjectPath } from '../render/kommune-project.js';
import { LABELS } from '../render/labels.js';
import type { RenderedFile } from '../render/serialize.js';

/**
 * The guard against a render that silently shrinks the output: every Kommune still in the inputs
 * has its baseline, its project and one element in the ApplicationSet of each of its apps (and of
 * the baselines) on its cluster. A miss is a bug in the generator, never an input mistake, so the
 * caller stops with an internal error before anything is written or pruned.
 */
export function findLostOutput(envs: readonly ResolvedEnvironment[], dist: ReadonlySet<string>, shared: readonly RenderedFile[]): string[] {
  const elements = new Set<string>();
  for (const file of shared) {
    for (const object of file.objects) {
      if (object.kind !== 'ApplicationSet') continue;
      const labels = object.metadata.labels as Record<string, string>;
      const key = `${labels[LABELS.env]}/${labels[LABELS.cluster]}/${labels[LABELS.app]}`;
      for (const generator of (object.spec as { generators: { list?: { elements?: { kommune: string }[] } }[] }).generators) {
        for (const element of generator.list?.elements ?? []) elements.add(`${key}/${element.kommune}`);
      }
    }
  }
  const lost: string[] = [];
  for (const env of envs) {
    const renderedKommunen = env.kommunen.filter((k) => dist.has(baselinePath(env, k))).length;
    if (env.kommunen.length > 0 && renderedKommunen === 0) lost.push(`environment ${env.name} has ${env.kommunen.length} Kommunen, but not one Kommune file was rendered`);
    for (const k of env.kommunen) {
      for (const file of [baselinePath(env, k), kommuneProjectPath(env, k)]) if (!dist.has(file)) lost.push(`${file} (${k.id} is in ${k.file})`);
      for (const app of ['baseline', ...k.apps.map((a) => a.name)]) {
        if (!elements.has(`${env.name}/${k.cluster}/${app}/${k.id}`)) lost.push(`the ${app} ApplicationSet element of ${k.id} on ${k.cluster} in ${env.name}`);
      }
    }
  }
  return lost;
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../load/input-source.js';
import type { ResolvedFleet, ResolvedKommune } from '../model/resolve.js';
import { loadFleet } from '../pipeline.js';
import { baselinePath } from '../render/kommune-baseline.js';
import { kommuneProjectPath } from '../render/kommune-project.js';
import { renderFleet } from '../render/render-fleet.js';
import { applicationSetElements, findLostOutput } from './completeness.js';

const SMALL = path.resolve(import.meta.dirname, '../../test/fixtures/small-fleet/input');

async function fleetAndOutput(): Promise<{ fleet: ResolvedFleet; dist: Set<string>; elements: Set<string> }> {
  const { fleet } = await loadFleet(directorySource(SMALL), '2026-11-27');
  const files = renderFleet(fleet!).dist;
  return { fleet: fleet!, dist: new Set(files.map((f) => f.path)), elements: new Set(files.flatMap((f) => applicationSetElements(f))) };
}

describe('the guard against lost output', () => {
  it('finds nothing lost in a whole render', async () => {
    const { fleet, dist, elements } = await fleetAndOutput();
    expect(findLostOutput(fleet.environments, dist, elements)).toEqual([]);
  });

  it('names a Kommune whose baseline is missing, unless the run record proved its files in place', async () => {
    const { fleet, dist, elements } = await fleetAndOutput();
    const env = fleet.environments[0]!;
    const k = env.kommunen[0]!;
    dist.delete(baselinePath(env, k));
    dist.delete(kommuneProjectPath(env, k));
    const lost = findLostOutput(fleet.environments, dist, elements);
    expect(lost).toEqual([`${baselinePath(env, k)} (${k.id} is in ${k.file})`, `${kommuneProjectPath(env, k)} (${k.id} is in ${k.file})`]);
    // Proven in place by the record: its paths are not looked up.
    const current = new Map([[env.name, new Set<ResolvedKommune>([k])]]);
    expect(findLostOutput(fleet.environments, dist, elements, undefined, current)).toEqual([]);
    // Proven in another environment only: still missing here.
    const elsewhere = new Map([[fleet.environments[1]!.name, new Set<ResolvedKommune>([k])]]);
    expect(findLostOutput(fleet.environments, dist, elements, undefined, elsewhere)).toEqual(lost);
  });

  it('an environment with no Kommune file, rendered or proven, is named as a whole', async () => {
    const { fleet, elements } = await fleetAndOutput();
    const env = fleet.environments[0]!;
    const proven = new Map([[env.name, new Set<ResolvedKommune>(env.kommunen.slice(1))]]);
    // One Kommune proven less than all, and no file rendered: only that Kommune is missing.
    const lost = findLostOutput([env], new Set(), elements, undefined, proven);
    expect(lost).toHaveLength(2);
    expect(findLostOutput([env], new Set(), elements)[0]).toBe(`environment ${env.name} has ${env.kommunen.length} Kommunen, but not one Kommune file was rendered`);
  });

  it('looks at the elements of the rendered ApplicationSets only, on every Kommune of their clusters', async () => {
    const { fleet, dist, elements } = await fleetAndOutput();
    const env = fleet.environments[0]!;
    const k = env.kommunen[0]!;
    const element = `${env.name}/${k.cluster}/baseline/${k.id}`;
    expect(elements.delete(element)).toBe(true);
    const current = new Map([[env.name, new Set<ResolvedKommune>(env.kommunen)]]);
    expect(findLostOutput([env], dist, elements, new Set([`${env.name}/${k.cluster}/baseline`]), current)).toEqual([`the baseline ApplicationSet element of ${k.id} on ${k.cluster} in ${env.name}`]);
    expect(findLostOutput([env], dist, elements, new Set(), current)).toEqual([]);
  });
});

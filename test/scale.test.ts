import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticFleet } from './helpers/synthetic.js';
import { renderAndCheck } from '../generator/generate.js';
import { PROJECT_ROOT } from './helpers/fleet.js';

describe('nationwide scale', () => {
  it('10,800 Kommunen × 3 environments render, validate, and are byte-identical on worker threads and on one thread', async () => {
    const { root, kommunen } = await syntheticFleet(10_800, 'dev,test,prod');
    expect(new Set(kommunen.map((k) => k.ags.slice(0, 2))).size).toBe(16);

    // The worker build must be there, or jobs: 2 would quietly render on one thread as well.
    expect(existsSync(path.join(PROJECT_ROOT, 'build/generator/check/render-worker.js')), 'npm run build first').toBe(true);
    const single = await renderAndCheck({ root, today: '2026-11-27', jobs: 1 });
    expect(single.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const parallel = await renderAndCheck({ root, today: '2026-11-27', jobs: 2 });
    expect(parallel.diagnostics).toEqual(single.diagnostics);
    expect(parallel.dist!.size).toBe(single.dist!.size);
    expect([...parallel.dist!.keys()]).toEqual([...single.dist!.keys()]);
    let differing = 0;
    for (const [file, text] of single.dist!) if (parallel.dist!.get(file) !== text) differing++;
    expect(differing).toBe(0);
    // 10,800 baselines and projects per environment, and no ApplicationSet over 1,000 Applications
    expect([...single.dist!.keys()].filter((f) => /\/kommunen\/[^/]+\/baseline\.yaml$/.test(f))).toHaveLength(32_400);
    const sizes = single.shared!.flatMap((f) => f.objects).filter((o) => o.kind === 'ApplicationSet').map((o) => (o.spec as { generators: { list: { elements: unknown[] } }[] }).generators[0]!.list.elements.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
    // every Kommune runs the six default apps plus its baseline, in three environments
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10_800 * 3 * 7);
  }, 600_000);
});

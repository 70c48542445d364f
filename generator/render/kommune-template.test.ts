import path from 'node:path';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../load/input-source.js';
import { loadFleet } from '../pipeline.js';
import { KommuneTemplates, renderKommuneDirect } from './kommune-template.js';

const SAMPLE = path.resolve(import.meta.dirname, '../../test/fixtures/sample-fleet');

describe('Kommune templates', () => {
  it('give exactly the bytes of a direct render for every Kommune of the sample fleet', async () => {
    const { fleet } = await loadFleet(directorySource(SAMPLE), '2026-11-27');
    const templates = new KommuneTemplates();
    let compared = 0;
    for (const env of fleet!.environments) {
      for (const k of env.kommunen) {
        expect(templates.render(env, k)).toEqual(renderKommuneDirect(env, k));
        compared++;
      }
    }
    expect(compared).toBe(52);
  });

  it('give the same objects as a direct render for arbitrary names, ids, AGS and waves ($&, quotes, control characters...)', async () => {
    const { fleet } = await loadFleet(directorySource(SAMPLE), '2026-11-27');
    const env = fleet!.environments.find((e) => e.name === 'prod')!;
    const base = env.kommunen.find((k) => k.id === 'sh-kiel')!;
    const parse = (files: readonly (readonly [string, string])[]) => files.map(([p, text]) => [p, text.split(/^---\n/m).map((d) => load(d))]);
    await fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.stringMatching(/^[0-9]{8}$/), fc.string({ maxLength: 8 }), (name, slug, ags, wave) => {
        const k = { ...base, id: `sh-${slug}`, namespace: `sh-${slug}`, name, ags, wave };
        const templates = new KommuneTemplates();
        templates.render(env, base); // warm the cache with another Kommune of the same shape
        const viaTemplate = templates.render(env, k);
        const direct = renderKommuneDirect(env, k);
        expect(parse(viaTemplate.files)).toEqual(parse(direct.files));
        expect(viaTemplate.diagnostics.length).toBe(0);
      }),
      // found once in CI: replaceAll expanded `$&` in a wave name
      { examples: [['Stadt $& $1 $$', 'kiel', '01002000', "$&'\\"]], numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});

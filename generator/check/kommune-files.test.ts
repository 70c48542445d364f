import path from 'node:path';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../load/input-source.js';
import { sortDiagnostics } from '../diagnostics.js';
import { loadFleet } from '../pipeline.js';
import { KommuneTemplates, renderKommuneDirect } from './kommune-files.js';

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
      // Ids, AGS and waves the input schema would refuse too (trailing hyphens, upper case, dots,
      // 70 characters...): the output checks must find the same problems on both paths.
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.stringMatching(/^[a-zA-Z0-9._-]{0,70}$/), fc.string({ maxLength: 10 }), fc.string({ maxLength: 8 }), (name, slug, ags, wave) => {
        const k = { ...base, id: `sh-${slug}`, namespace: `sh-${slug}`, name, ags, wave };
        const templates = new KommuneTemplates();
        templates.render(env, base); // warm the cache with another Kommune of the same shape
        const viaTemplate = templates.render(env, k);
        const direct = renderKommuneDirect(env, k);
        expect(parse(viaTemplate.files)).toEqual(parse(direct.files));
        expect(sortDiagnostics(viaTemplate.diagnostics)).toEqual(sortDiagnostics(direct.diagnostics));
      }),
      // found once in CI: replaceAll expanded `$&` in a wave name
      {
        examples: [
          ['Stadt $& $1 $$', 'kiel', '01002000', "$&'\\"],
          // an id the schema refuses; the direct render reports invalid names, so must the template
          ['Stadt Abc', 'abc-', '01002000', 'main'],
        ],
        numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('report the invalid names of an id like sh-abc- exactly as a direct render does', async () => {
    const { fleet } = await loadFleet(directorySource(SAMPLE), '2026-11-27');
    const env = fleet!.environments.find((e) => e.name === 'prod')!;
    const base = env.kommunen.find((k) => k.id === 'sh-kiel')!;
    const bad = { ...base, id: 'sh-abc-', namespace: 'sh-abc-' };
    const templates = new KommuneTemplates();
    templates.render(env, base);
    const direct = renderKommuneDirect(env, bad).diagnostics;
    expect(direct.filter((d) => d.code === 'E_OUTPUT_NAME').length).toBeGreaterThan(10);
    expect(sortDiagnostics(templates.render(env, bad).diagnostics)).toEqual(sortDiagnostics(direct));
  });
});

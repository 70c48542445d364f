import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { fastYamlValue } from './fast-yaml.js';

/** What the yaml package reads, as parseYamlFile does: undefined when it reports anything. */
function yamlPackageValue(text: string): { value?: unknown } {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: false });
  if (doc.errors.length + doc.warnings.length > 0) return {};
  try {
    return { value: doc.toJS({ maxAliasCount: 50 }) };
  } catch {
    return {};
  }
}

/** Where the fast reading gives a value, the yaml package must give the same one without complaint. */
function disagreement(text: string): string | undefined {
  const fast = fastYamlValue(text);
  if (fast === undefined) return undefined;
  const slow = yamlPackageValue(text);
  if (!('value' in slow)) return `fast read ${JSON.stringify(text)}, the yaml package reports a problem`;
  if (!isDeepStrictEqual(fast, slow.value)) return `${JSON.stringify(text)}: fast ${JSON.stringify(fast)}, yaml ${JSON.stringify(slow.value)}`;
  return undefined;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return yamlFilesUnder(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

/** Characters that make plain scalars turn into numbers, booleans, nulls or syntax. */
const tricky = fc.string({ unit: fc.constantFrom(...'aeExob0179.+-_~:#"\'[]{},|>!&*?% \n'.split(''), 'null', 'true', 'True', 'NaN', '.inf', '0o', '0x', '<<', '---', '\\u00e4', '\\q', 'ä'), maxLength: 14 });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(tricky, tie('value'), { maxKeys: 3 })),
})).value;

describe('fast YAML reading', () => {
  it('reads every fixture file as the yaml package does, and the Kommune files at all', () => {
    const files = yamlFilesUnder(path.resolve(import.meta.dirname, '../../test/fixtures'));
    for (const file of files) expect(disagreement(readFileSync(file, 'utf8')), file).toBeUndefined();
    expect(files.length).toBeGreaterThan(200);
    // Kommune files are the bulk of a fleet: the fast reading is of no use if it gives up on them.
    const kommunen = files.filter((f) => /\/tenants\/[a-z]{2}\/[^/]+\.yaml$/.test(f));
    expect(kommunen.length).toBeGreaterThan(20);
    for (const file of kommunen) expect(fastYamlValue(readFileSync(file, 'utf8')), file).not.toBeUndefined();
  });

  it('gives way on every form the two read differently', () => {
    const differing = ['null: 1', '~: 2', ': 3', '[a]: 1', '? [a, b]\n: 1', 'a: !!str 5', 'a: &x 1\nb: *x', '<<: {a: 1}', '%YAML 1.1\n---\na: yes', 'a: 1\n---\nb: 2', 'a: {[x]: 1}', '__proto__: 1', 'a:\tb'];
    for (const text of differing) expect(fastYamlValue(text), text).toBeUndefined();
    for (const text of ['a: 0o17', 'a: 017', 'a: +12', 'a: 1e3', 'a: .inf', 'a: -.Inf', 'a: .NaN', 'a: -0', 'a: 1_000', 'a: 0b11', 'true: 1', '.inf: 1', 'a: 123456789012345678901234567890', 'a: 0.1e-400']) {
      expect(disagreement(text), text).toBeUndefined();
      expect(fastYamlValue(text), text).not.toBeUndefined();
    }
  });

  it('agrees with the yaml package on generated documents, in both packages\' styles and cut at random', () => {
    fc.assert(
      fc.property(json, fc.constantFrom('yaml', 'js-yaml-block', 'js-yaml-flow'), fc.nat(), fc.nat(), (value, style, cut, drop) => {
        const doc = { key: value, other: [value] };
        const text = style === 'yaml' ? stringify(doc) : jsyaml.dump(doc, { flowLevel: style === 'js-yaml-flow' ? 1 : -1, schema: jsyaml.CORE_SCHEMA });
        // Cutting a character out makes broken and odd YAML out of well-formed YAML.
        const at = cut % (text.length + 1);
        const damaged = text.slice(0, at) + text.slice(at + 1 + (drop % 3));
        for (const t of [text, damaged]) {
          const problem = disagreement(t);
          if (problem) throw new Error(problem);
        }
      }),
      { numRuns: 3000, seed: 20261129 },
    );
  });

  it('agrees with the yaml package on line soup', () => {
    const line = fc.tuple(fc.constantFrom('', ' ', '  ', '- ', '  - '), tricky, fc.constantFrom(':', ': ', ' : ', ''), tricky);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const text = lines.map(([indent, key, colon, value]) => `${indent}${key}${colon}${value}`).join('\n');
        const problem = disagreement(text);
        if (problem) throw new Error(problem);
      }),
      { numRuns: 5000, seed: 20261129 },
    );
  });
});

import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { serializeFile, sortObjects, type KubeObject } from '../generator/render/serialize.js';

/** The plain serialization serializeFile splices list elements into: one dump per object. */
const plain = (objects: readonly KubeObject[]) => objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');

// Characters that change how js-yaml writes a string: quotes, block scalars (line breaks, leading
// and trailing spaces, empty lines), indicators, tabs, numbers and words YAML 1.1 reads as others.
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\n', ':', '#', '-', '?', "'", '"', '|', '>', '\t', '0', '.', 'ü', '{', '[', ','), maxLength: 24 }),
  fc.constantFrom('', 'yes', 'on', 'null', '~', '0755', '01002000', '1e3', '.inf', '- x', 'a\n\nb\n', '  lead\nx', 'x\n  \ny\n\n', '\n'),
);
const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(-0, Number.NaN, Infinity, -Infinity));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(text, tie('value'), { maxKeys: 3 })),
}));
const element = fc.dictionary(fc.oneof(text, fc.constantFrom('kommune', 'values', 'wave', '1', '__proto__')), value, { maxKeys: 5 });

function applicationSet(name: string, elements: unknown[]): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      goTemplate: true,
      generators: [{ list: { elements } }],
      template: { metadata: { name: '{{ .kommune }}' }, spec: { project: 'p', info: [{ name: 'AGS', value: '{{ .ags }}' }] } },
    },
  };
}

describe('serializing ApplicationSets element by element', () => {
  it('gives the bytes of a plain dump for any elements, repeated within and across files', () => {
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(5), { maxLength: 6 }), (elements, repeats) => {
        // Elements recur (the same Kommune in every app's ApplicationSet): later ones come from the cache.
        const again = repeats.map((i) => structuredClone(elements[i % elements.length]));
        for (const objects of [[applicationSet('a', elements)], [applicationSet('b', [...again, ...elements]), applicationSet('c', elements)]]) {
          let expected: string;
          try {
            expected = plain(objects);
          } catch {
            // js-yaml refuses some values (undefined); so must the splice.
            expect(() => serializeFile({ path: 'x.yaml', objects, source: 's' })).toThrow();
            continue;
          }
          expect(serializeFile({ path: 'x.yaml', objects, source: 's' })).toBe(expected);
        }
      }),
      { numRuns: 2000, seed: 20261129 },
    );
  });

  it('tells apart elements JSON writes alike: -0 and 0, NaN and null', () => {
    for (const pair of [[{ x: 0 }, { x: -0 }], [{ x: null }, { x: Number.NaN }], [{ x: -0 }, { x: 0 }]]) {
      const objects = [applicationSet('a', pair)];
      expect(serializeFile({ path: 'x.yaml', objects, source: 's' })).toBe(plain(objects));
    }
  });

  it('leaves other objects and an ApplicationSet without elements to the plain dump', () => {
    const objects: KubeObject[] = [applicationSet('empty', []), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { elements: 'x' } }];
    expect(serializeFile({ path: 'x.yaml', objects, source: 's' })).toBe(plain(sortObjects(objects)));
  });
});

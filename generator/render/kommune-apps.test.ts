import { ApiObject, App, Chart } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { synthesized } from './kommune-apps.js';

/** What cdk8s itself makes of a value inside an object's spec. */
function throughCdk8s(value: unknown): unknown {
  const chart = new Chart(new App(), 'c');
  new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, data: { value } });
  return (chart.toJson()[0] as { data: { value?: unknown } }).data.value;
}

describe('ApplicationSet list elements set after synthesis', () => {
  it('are what cdk8s makes of the same values: keys sorted at every level, null and undefined left out of objects', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.constant(undefined));
    // Validation refuses a key named __proto__ in values (E_VALUES_KEY): cdk8s would set a prototype
    // with it. cdk8s stops on a key named constructor (see below), so the comparison leaves it out.
    const key = fc.oneof(fc.string(), fc.constantFrom('ags', 'Ags', 'ägs', 'values', 'value', 'resolve', '10', '2', 'b', 'a')).filter((k) => k !== '__proto__' && k !== 'constructor');
    const value = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 6, noNullPrototype: true })),
    })).value;
    const element = fc.dictionary(key, value, { minKeys: 1, maxKeys: 10, noNullPrototype: true });
    fc.assert(
      fc.property(element, (e) => {
        expect(JSON.stringify(synthesized(e))).toBe(JSON.stringify(throughCdk8s(e)));
        expect(synthesized(e)).toStrictEqual(throughCdk8s(e));
      }),
      { numRuns: 2000 },
    );
  });

  it('an element as the render builds it comes out with its keys sorted and its empty values left out', () => {
    const e = { kommune: 'sh-kiel', name: 'Kiel', ags: '01002000', land: 'sh', wave: 'canary', hostname: 'kiel.example', size: 'm', contact: '', values: { z: 1, a: { y: null, b: [2, null] } } };
    expect(JSON.stringify(synthesized(e))).toBe('{"ags":"01002000","contact":"","hostname":"kiel.example","kommune":"sh-kiel","land":"sh","name":"Kiel","size":"m","values":{"a":{"b":[2,null]},"z":1},"wave":"canary"}');
    expect(synthesized(e)).toStrictEqual(throughCdk8s(e));
  });

  it('keep a Helm value named constructor as data, where cdk8s stopped with an internal error', () => {
    const values = { constructor: { kind: 'x' }, replicaCount: 3 };
    expect(() => throughCdk8s(values)).toThrow(/non-simple object/);
    expect(JSON.stringify(synthesized({ kommune: 'sh-kiel', values }))).toBe('{"kommune":"sh-kiel","values":{"constructor":{"kind":"x"},"replicaCount":3}}');
  });
});

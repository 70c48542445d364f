import { describe, expect, it } from 'vitest';
import { fingerprintJson } from './fingerprint.js';

describe('fingerprintJson', () => {
  it('tells Sets and Maps by their contents, wherever they sit (plain JSON writes {} for each)', () => {
    const a = { id: 'sh-kiel', canaryIn: new Set(['c1/alfa']), nested: [{ m: new Map([['x', 1]]) }] };
    const b = { id: 'sh-kiel', canaryIn: new Set(['c1/beta']), nested: [{ m: new Map([['x', 1]]) }] };
    const c = { id: 'sh-kiel', canaryIn: new Set(['c1/alfa']), nested: [{ m: new Map([['x', 2]]) }] };
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(fingerprintJson(a)).not.toBe(fingerprintJson(b));
    expect(fingerprintJson(a)).not.toBe(fingerprintJson(c));
    // order of insertion does not matter for a Set
    expect(fingerprintJson({ s: new Set(['b', 'a']) })).toBe(fingerprintJson({ s: new Set(['a', 'b']) }));
  });

  it('is plain JSON for values without Sets or Maps, empty objects included', () => {
    for (const value of [{ a: 1, b: ['x', { c: null }] }, { values: {} }, 'text {}', [], null]) expect(fingerprintJson(value)).toBe(JSON.stringify(value));
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseCache } from './parse-cache.js';
import { tempDir } from '../../test/helpers/temp-dir.js';

describe('parse cache', () => {
  it('hands out one frozen value per file, across a save and an open, so no caller can change what another reads', () => {
    const file = path.join(tempDir('ozg-parse-cache-'), 'cache.bin');
    const key = ParseCache.key(Buffer.from('id: sh-kiel\n'));
    const first = ParseCache.open(file);
    const parsed = { id: 'sh-kiel', environments: ['dev', 'prod'], values: { alfa: { replicas: 2 } } };
    first.set(key, parsed);
    first.save();
    const again = ParseCache.open(file);
    const value = again.get(key) as typeof parsed;
    expect(value).toEqual(parsed);
    expect(again.get(key)).toBe(value);
    expect(() => {
      (value.values.alfa as { replicas: number }).replicas = 3;
    }).toThrow(TypeError);
    expect(() => (value.environments as string[]).push('test')).toThrow(TypeError);
    expect(Object.isFrozen(parsed.values.alfa)).toBe(true);
    expect(again.get(ParseCache.key(Buffer.from('other')))).toBeUndefined();
  });

  it('keeps what a second load used after a first load saved (a plan saves after its head and again after its base)', () => {
    const file = path.join(tempDir('ozg-parse-cache-'), 'cache.bin');
    const [head, base] = [ParseCache.key(Buffer.from('head')), ParseCache.key(Buffer.from('base'))];
    const first = ParseCache.open(file);
    first.set(head, { side: 'head' });
    first.set(base, { side: 'base' });
    first.save();
    const plan = ParseCache.open(file);
    expect(plan.get(head)).toEqual({ side: 'head' });
    plan.save();
    expect(plan.get(base)).toEqual({ side: 'base' });
    plan.save();
    const next = ParseCache.open(file);
    expect(next.get(head)).toEqual({ side: 'head' });
    expect(next.get(base)).toEqual({ side: 'base' });
  });
});

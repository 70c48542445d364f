import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_MAX_AGE_MS, CODE_HASH_FILE, codeDigest, pruneCacheFolder } from './cache-dir.js';
import { tempDir } from '../test/helpers/temp-dir.js';

describe('cache folder', () => {
  it('removes files not written for 30 days, keeps the rest, and looks through the folder at most once a day', () => {
    const folder = tempDir('ozg-cache-dir-');
    const now = Date.now();
    const file = (name: string, ageMs: number) => {
      const full = path.join(folder, name);
      writeFileSync(full, name);
      utimesSync(full, new Date(now - ageMs), new Date(now - ageMs));
      return full;
    };
    const old = file('run-record-old.json', CACHE_MAX_AGE_MS + 60_000);
    const recent = file('parse-cache-recent.bin', CACHE_MAX_AGE_MS - 2 * 24 * 3600_000);
    pruneCacheFolder(folder, now);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(path.join(folder, '.pruned'))).toBe(true);

    // Within a day of the last look, nothing is looked at; a day later, it is.
    const older = file('input-index-older.json', CACHE_MAX_AGE_MS + 60_000);
    pruneCacheFolder(folder, now + 3600_000);
    expect(existsSync(older)).toBe(true);
    pruneCacheFolder(folder, now + 25 * 3600_000);
    expect(existsSync(older)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });

  it('leaves a folder that does not exist alone', () => {
    expect(() => pruneCacheFolder(path.join(tmpdir(), 'ozg-cache-dir-none', 'nothing'), Date.now())).not.toThrow();
  });

  it('the bundled command is keyed by the digest of its own chunks, which its build wrote beside them', () => {
    // The bundle `npm test` builds first (package.json's bin).
    const bundle = path.resolve(import.meta.dirname, '../build/cli');
    const stamp = readFileSync(path.join(bundle, CODE_HASH_FILE), 'utf8').trim();
    expect(stamp).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp).toBe(codeDigest(bundle));
    // Another chunk, another digest.
    const copy = tempDir('ozg-code-digest-');
    writeFileSync(path.join(copy, 'a.js'), 'export const a = 1;\n');
    const before = codeDigest(copy);
    writeFileSync(path.join(copy, 'a.js'), 'export const a = 2;\n');
    expect(codeDigest(copy)).not.toBe(before);
  });
});

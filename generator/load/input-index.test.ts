import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputIndex } from './input-index.js';
import { ParseCache } from './parse-cache.js';
import { tempDir } from '../../test/helpers/temp-dir.js';

describe('input index', () => {
  it('names an unchanged file by its key unread, and reads again a file written since, even with its mtime put back', async () => {
    const root = tempDir('ozg-input-index-');
    const workDir = tempDir('ozg-input-index-work-');
    writeFileSync(path.join(root, 'a.yaml'), 'id: sh-kiel\n');
    // Files younger than two seconds when read are not trusted later (coarse file times).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    writeFileSync(path.join(root, 'fresh.yaml'), 'id: sh-appen\n');

    const first = InputIndex.forRoot(workDir, root);
    expect(first.known('a.yaml')).toBeUndefined();
    const bytes = first.read('a.yaml');
    expect(first.known('a.yaml')).toBe(ParseCache.key(bytes));
    first.read('fresh.yaml');
    first.save();

    const second = InputIndex.forRoot(workDir, root);
    expect(second.known('a.yaml')).toBe(ParseCache.key(Buffer.from('id: sh-kiel\n')));
    expect(second.known('fresh.yaml'), 'read within two seconds of its last write').toBeUndefined();

    // Same size, other bytes, the old mtime restored (as cp -p or rsync would): the ctime still moves.
    const { atime, mtime } = statSync(path.join(root, 'a.yaml'));
    writeFileSync(path.join(root, 'a.yaml'), 'id: sh-wedl\n');
    utimesSync(path.join(root, 'a.yaml'), atime, mtime);
    const third = InputIndex.forRoot(workDir, root);
    expect(third.known('a.yaml')).toBeUndefined();
    expect(Buffer.from(third.read('a.yaml')).toString()).toBe(readFileSync(path.join(root, 'a.yaml'), 'utf8'));
    expect(third.known('a.yaml')).toBe(ParseCache.key(Buffer.from('id: sh-wedl\n')));
  });
});

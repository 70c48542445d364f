import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the generator keeps what it may forget (the run record, parsed inputs): a cache folder,
 * never the repository, so a working tree never turns dirty: node_modules/.cache/ozg-gitops next
 * to the output when there is one, else the temp folder.
 */
export function cacheFile(workDir: string, kind: string, key: readonly string[]): string {
  const digest = createHash('sha256').update(key.join('\0')).digest('hex').slice(0, 16);
  const modules = path.join(workDir, 'node_modules');
  const folder = existsSync(modules) ? path.join(modules, '.cache', 'ozg-gitops') : path.join(tmpdir(), 'ozg-gitops-cache');
  if (!prunedThisRun.has(folder)) {
    prunedThisRun.add(folder);
    pruneCacheFolder(folder, Date.now());
  }
  return path.join(folder, `${kind}-${digest}`);
}

const prunedThisRun = new Set<string>();

/** A cache file nobody has written for this long is removed (its next user only starts cold). */
export const CACHE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** How often a cache folder is looked through for such files. */
const PRUNE_EVERY_MS = 24 * 3600 * 1000;

/**
 * Removes the cache files of a folder not written for 30 days, at most once a day (a marker file's
 * mtime says when it last ran). Every fleet and output folder leaves its own files behind, a
 * nationwide run record alone is 10 MB, and the temp folder is shared by everything that ever ran.
 */
export function pruneCacheFolder(folder: string, now: number): void {
  const marker = path.join(folder, '.pruned');
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // never pruned, or no folder yet
  }
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === '.pruned') continue;
    const file = path.join(folder, name);
    try {
      if (now - statSync(file).mtimeMs > CACHE_MAX_AGE_MS) rmSync(file, { force: true });
    } catch {
      // removed meanwhile by another run
    }
  }
  try {
    writeFileSync(marker, '');
  } catch {
    // a read-only folder: looked through again next time
  }
}

let codeHash: string | undefined;
/**
 * The generator's own compiled code: whatever a cache holds is void under another version of it.
 * The bundled command reads the digest its build wrote beside it (cli/bundle.ts: about 20 ms a
 * run for 4 MB of chunks); the unbundled build and the sources are digested when first asked.
 */
export function generatorCodeHash(): string {
  if (codeHash) return codeHash;
  const root = path.dirname(fileURLToPath(import.meta.url));
  try {
    codeHash = readFileSync(path.join(root, CODE_HASH_FILE), 'utf8').trim();
  } catch {
    codeHash = codeDigest(root);
  }
  return codeHash;
}

/** Where the bundle's build keeps the digest of its chunks. */
export const CODE_HASH_FILE = 'code-hash';

/** A digest of the JavaScript and TypeScript files below a folder (tests left out), in name order. */
export function codeDigest(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) hash.update(readFileSync(full));
    }
  };
  walk(root);
  return hash.digest('hex');
}

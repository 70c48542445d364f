import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  return path.join(folder, `${kind}-${digest}`);
}

let codeHash: string | undefined;
/** The generator's own compiled code: whatever a cache holds is void under another version of it. */
export function generatorCodeHash(): string {
  if (codeHash) return codeHash;
  const root = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) hash.update(readFileSync(full));
    }
  };
  walk(root);
  codeHash = hash.digest('hex');
  return codeHash;
}

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { cacheFile, generatorCodeHash } from '../cache-dir.js';
import { deepFreeze } from '../deep-freeze.js';

/**
 * Input files as parsed and checked before, by kind and the git blob id of their bytes. A nationwide run
 * reads 10,800 Kommune files of which a change touches one; parsing them with positions is most of
 * the load. An entry holds the plain value of a file that parsed and passed its own checks (schema,
 * literal secrets, version pins); its positions are parsed again only if a rule across files
 * reports on it.
 *
 * Bound to the generator's code, kept outside the repository, written whole (v8 serialization,
 * which keeps every value YAML can produce), and holding only the entries of the last run, so it
 * does not grow. `validate` and `generate --check` never use it: they parse every file.
 */
/** The generator's code and V8's version: the serialization format is V8's. */
function cacheVersion(): string {
  return `${generatorCodeHash()} v8 ${process.versions.v8}`;
}

export class ParseCache {
  private readonly used = new Map<string, unknown>();
  private added = false;
  /** Entries in the file as last read or written: a plan saves after its head and again after its base. */
  private stored: number;

  private constructor(
    private readonly file: string,
    private readonly entries: ReadonlyMap<string, unknown>,
  ) {
    this.stored = entries.size;
  }

  static open(file: string): ParseCache {
    let entries = new Map<string, unknown>();
    try {
      const stored = deserialize(readFileSync(file)) as { code: string; entries: Map<string, unknown> };
      if (stored.code === cacheVersion() && stored.entries instanceof Map) entries = stored.entries;
    } catch {
      // none yet, or unreadable: start empty
    }
    return new ParseCache(file, entries);
  }

  /** The cache of the inputs under `root`, next to the output in `workDir` (generator/cache-dir.ts). */
  static forRoot(workDir: string, root: string): ParseCache {
    return ParseCache.open(`${cacheFile(workDir, 'parse-cache', [path.resolve(root)])}.bin`);
  }

  /** Git's object id of a blob of these bytes: a tree read from git names its files' keys without reading them. */
  static key(bytes: Uint8Array): string {
    return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  }

  /**
   * The value of a file with exactly these bytes that parsed and passed its own checks before,
   * frozen: a plan loads base and head from one cache and most of their files have the same bytes,
   * so both sides get the same value, and anything that tried to change it would throw. Freezing
   * instead of a copy per caller (structuredClone) spares the young generation 10,800 copies per
   * side: a one-Kommune edit at 10,800 × 3 went from 8.0-9.1 s to 6.4-6.5 s, GC 1.6 s to 1.2 s.
   */
  get(key: string): unknown {
    const value = this.entries.get(key) ?? this.used.get(key);
    if (value === undefined) return undefined;
    this.used.set(key, value);
    return deepFreeze(value);
  }

  set(key: string, value: unknown): void {
    if (this.used.has(key)) return;
    this.used.set(key, deepFreeze(value));
    this.added = true;
  }

  /** Keeps this run's entries; written only when there is something new or something to drop. */
  save(): void {
    // `used` only grows: the same size with nothing added since is the same set.
    if (!this.added && this.used.size === this.stored) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Renamed into place, not flushed: a cache lost in a crash is only rebuilt.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize({ code: cacheVersion(), entries: this.used }));
    renameSync(tmp, this.file);
    this.stored = this.used.size;
    this.added = false;
  }
}

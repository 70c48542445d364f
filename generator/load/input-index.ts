import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { cacheFile } from '../cache-dir.js';
import { ParseCache } from './parse-cache.js';

/** Size, mtime and ctime in ms, inode: what changes when a file's bytes are written. */
type StatKey = readonly [number, number, number, number];

/**
 * The working tree's input files by their stat data, as git's index keeps them: a file whose
 * size, mtime, ctime and inode are as recorded has the recorded bytes, so its parse-cache key is
 * known without reading it (10,800 stats take about a tenth of reading and hashing the files).
 * ctime is set by the kernel on every write, so tools that restore an mtime (cp -p, rsync, tar)
 * do not fool it. A file whose mtime or ctime was less than two seconds old when it was read is
 * not trusted later: file systems stamp times coarsely, and a write in the same tick as the read
 * would keep them. Kept outside the repository like the run record; `generate --check` and
 * `validate` never use it.
 */
export class InputIndex {
  private readonly learned = new Map<string, readonly [...StatKey, string]>();
  /** This run's answers: a file is stat-ed once per run. */
  private readonly answered = new Map<string, string | undefined>();
  /** The entries in the file as last read or written (a change's render and its plan both save). */
  private stored: ReadonlyMap<string, readonly [...StatKey, string]>;

  private constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly entries: ReadonlyMap<string, readonly [...StatKey, string]>,
  ) {
    this.stored = entries;
  }

  static forRoot(workDir: string, root: string): InputIndex {
    const file = `${cacheFile(workDir, 'input-index', [path.resolve(root)])}.json`;
    let entries = new Map<string, readonly [...StatKey, string]>();
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; files?: Record<string, [number, number, number, number, string]> };
      if (stored.version === 1 && stored.files) entries = new Map(Object.entries(stored.files));
    } catch {
      // none yet, or unreadable: every file is read once
    }
    return new InputIndex(file, path.resolve(root), entries);
  }

  /** The key of the file's bytes when its stat data is as recorded; else undefined (read it). */
  known(file: string): string | undefined {
    if (this.answered.has(file)) return this.answered.get(file);
    let answer: string | undefined;
    const entry = this.entries.get(file);
    const now = this.stat(file);
    if (entry && now && entry[0] === now[0] && entry[1] === now[1] && entry[2] === now[2] && entry[3] === now[3]) answer = entry[4];
    if (answer !== undefined) this.learned.set(file, entry!);
    this.answered.set(file, answer);
    return answer;
  }

  /** The bytes of a file `known` did not vouch for, read now; the index learns their key. */
  read(file: string): Uint8Array {
    // Taken before the bytes: a write after it moves the times the next run compares.
    const before = this.stat(file);
    const bytes = readFileSync(path.join(this.root, file));
    const key = ParseCache.key(bytes);
    this.answered.set(file, key);
    const settled = Date.now() - 2000;
    if (before && before[1] < settled && before[2] < settled) this.learned.set(file, [...before, key]);
    return bytes;
  }

  /** Keeps the files of this run: written only when something changed. */
  save(): void {
    if (this.learned.size === this.stored.size && this.sameAsStored()) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Renamed into place, not flushed: an index lost in a crash only means reading every file once.
    // In the order learned, unsorted: a cache of this machine, read back into a Map.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, files: Object.fromEntries(this.learned) }));
    renameSync(tmp, this.file);
    this.stored = new Map(this.learned);
  }

  private sameAsStored(): boolean {
    for (const [file, entry] of this.learned) if (this.stored.get(file) !== entry) return false;
    return true;
  }

  private stat(file: string): StatKey | undefined {
    let s: Stats;
    try {
      s = lstatSync(path.join(this.root, file));
    } catch {
      return undefined;
    }
    return [s.size, s.mtimeMs, s.ctimeMs, s.ino];
  }
}

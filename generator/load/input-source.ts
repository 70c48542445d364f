import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputIndex } from './input-index.js';
import { ParseCache } from './parse-cache.js';

/**
 * Where the inputs are read from: the working tree, or a git commit (for plan).
 * Paths are relative to the root, with forward slashes.
 */
export interface InputSource {
  /** Human-readable origin, for messages. */
  readonly label: string;
  /** Every file under environments/ and tenants/, sorted. */
  listInputFiles(): Promise<string[]>;
  read(file: string): Promise<Uint8Array>;
  /**
   * What a git tree (from `ls-tree`) or the input index (from a file's stat data) knows without
   * reading a file: the parse cache's key of its bytes, their git blob id (load/parse-cache.ts).
   * A file the cache holds is then not read at all; `readNow` gives its bytes if a rule reports a
   * position inside it.
   */
  readonly keys?: KnownKeys;
}

export interface KnownKeys {
  known(file: string): string | undefined;
  readNow(file: string): Uint8Array;
  /** Keeps what the source learned about its files for the next run (load/input-index.ts). */
  save?(): void;
}

/** The parse cache's key of a file's bytes: known to the source, else taken from the bytes. */
export async function contentKey(source: InputSource, file: string): Promise<string> {
  const known = source.keys?.known(file);
  if (known !== undefined) return known;
  const bytes = await source.read(file);
  // A source that reads through its index has learned the key on the way.
  return source.keys?.known(file) ?? ParseCache.key(bytes);
}

export const INPUT_FOLDERS = ['environments', 'tenants'] as const;

/** The files under `root`; with an index, unchanged files are named by their key without being read. */
export function directorySource(root: string, index?: InputIndex): InputSource {
  return {
    label: root,
    async listInputFiles() {
      const files: string[] = [];
      for (const folder of INPUT_FOLDERS) {
        const base = path.join(root, folder);
        if (!(await isDirectory(base))) continue;
        const entries = await readdir(base, { recursive: true, withFileTypes: true });
        // Each entry's folder is `base` or below it: cut, not path.relative (0.2 s at 10,800 files).
        for (const entry of entries) {
          if (!entry.isFile()) continue;
          const below = entry.parentPath.slice(base.length).split(path.sep).join('/');
          files.push(`${folder}${below}/${entry.name}`);
        }
      }
      return files.sort();
    },
    async read(file) {
      // Synchronous: thousands of small Kommune files read faster without a trip through the thread pool.
      return index ? index.read(file) : readFileSync(path.join(root, file));
    },
    ...(index && { keys: { known: (file) => index.known(file), readNow: (file) => index.read(file), save: () => index.save() } }),
  };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The files under `root`, read through their input index (kept with the other caches of `workDir`). */
export function indexedDirectorySource(root: string, workDir = root): InputSource {
  return directorySource(root, InputIndex.forRoot(workDir, root));
}

/**
 * `source` with some files' bytes replaced or added: a change on a clean working tree sees its
 * base, the commit it started from, as the tree it read with its own edits taken back (`null`:
 * a file it adds), with no git process to read 10,800 blobs again; onboarding checks new Kommune
 * files with the fleet before writing them.
 */
export function withContents(source: InputSource, label: string, contents: ReadonlyMap<string, Uint8Array | null>): InputSource {
  const keys = source.keys;
  // null: a file this tree does not have (one a change adds, seen from its base).
  const bytesOf = (file: string): Uint8Array | undefined => {
    const bytes = contents.get(file);
    if (bytes === null) throw Object.assign(new Error(`${file} is not in ${label}`), { code: 'ENOENT' });
    return bytes;
  };
  return {
    label,
    listInputFiles: async () => [...new Set([...(await source.listInputFiles()), ...contents.keys()])].filter((file) => contents.get(file) !== null).sort(),
    read: async (file) => bytesOf(file) ?? source.read(file),
    ...(keys && {
      keys: {
        known: (file) => (contents.has(file) ? undefined : keys.known(file)),
        readNow: (file) => bytesOf(file) ?? keys.readNow(file),
        save: keys.save,
      },
    }),
  };
}

/** Reads each file once however often it is asked for: a run's fingerprint and its load read the same bytes. */
export function memoizedSource(source: InputSource): InputSource {
  let files: Promise<string[]> | undefined;
  const bytes = new Map<string, Uint8Array>();
  const keys = source.keys;
  return {
    label: source.label,
    listInputFiles: () => (files ??= source.listInputFiles()),
    async read(file) {
      let content = bytes.get(file);
      if (!content) {
        content = await source.read(file);
        bytes.set(file, content);
      }
      return content;
    },
    ...(keys && {
      keys: {
        known: (file) => keys.known(file),
        readNow(file) {
          let content = bytes.get(file);
          if (!content) {
            content = keys.readNow(file);
            bytes.set(file, content);
          }
          return content;
        },
        save: keys.save,
      },
    }),
  };
}

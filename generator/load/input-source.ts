import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';

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
}

export const INPUT_FOLDERS = ['environments', 'tenants'] as const;

export function directorySource(root: string): InputSource {
  return {
    label: root,
    async listInputFiles() {
      const files: string[] = [];
      for (const folder of INPUT_FOLDERS) {
        const base = path.join(root, folder);
        if (!(await isDirectory(base))) continue;
        const entries = await readdir(base, { recursive: true, withFileTypes: true });
        for (const entry of entries) {
          if (!entry.isFile()) continue;
          const full = path.join(entry.parentPath, entry.name);
          files.push(path.relative(root, full).split(path.sep).join('/'));
        }
      }
      return files.sort();
    },
    async read(file) {
      // Synchronous: thousands of small Kommune files read faster without a trip through the thread pool.
      return readFileSync(path.join(root, file));
    },
  };
}

/** The inputs as committed at `ref` in the repository that holds `root`. */
export async function gitRefSource(root: string, ref: string): Promise<InputSource> {
  const git = simpleGit({ baseDir: root });
  const prefix = (await git.revparse(['--show-prefix'])).trim();
  const commit = (await git.revparse(['--verify', '--quiet', `${ref}^{commit}`])).trim();
  const listing = await git.raw(['ls-tree', '-r', '--name-only', '-z', commit, '--', ...INPUT_FOLDERS.map((f) => `${prefix}${f}`)]);
  const files = listing
    .split('\0')
    .filter(Boolean)
    .map((f) => f.slice(prefix.length))
    .sort();
  return {
    label: `${ref} (${commit.slice(0, 12)})`,
    async listInputFiles() {
      return files;
    },
    async read(file) {
      const out = await git.binaryCatFile(['blob', `${commit}:${prefix}${file}`]);
      return new Uint8Array(out);
    },
  };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

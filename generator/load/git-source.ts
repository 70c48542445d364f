import { execFileSync } from 'node:child_process';
import { simpleGit } from 'simple-git';
import { INPUT_FOLDERS, type InputSource } from './input-source.js';

/**
 * The inputs as committed at `ref` in the repository that holds `root`. All blobs come from one
 * `git cat-file --batch` process (one process per file cost about a minute for a nationwide fleet
 * of 10,800 Kommune files), read the first time a file the parse cache does not know is asked for.
 */
export async function gitRefSource(root: string, ref: string): Promise<InputSource> {
  const git = simpleGit({ baseDir: root });
  const prefix = (await git.revparse(['--show-prefix'])).trim();
  const commit = (await git.revparse(['--verify', '--quiet', `${ref}^{commit}`])).trim();
  const listing = await git.raw(['ls-tree', '-r', '-z', commit, '--', ...INPUT_FOLDERS.map((f) => `${prefix}${f}`)]);
  const objects = new Map<string, string>();
  for (const entry of listing.split('\0').filter(Boolean)) {
    // "<mode> SP <type> SP <object> TAB <path>"
    const tab = entry.indexOf('\t');
    const [, type, oid] = entry.slice(0, tab).split(' ');
    if (type === 'blob') objects.set(entry.slice(tab + 1).slice(prefix.length), oid!);
  }
  const files = [...objects.keys()].sort();
  let blobs: Map<string, Uint8Array> | undefined;
  const readNow = (file: string): Uint8Array => {
    blobs ??= readBlobs(root, [...new Set(objects.values())]);
    const bytes = blobs.get(objects.get(file) ?? '');
    if (!bytes) throw new Error(`${file} is not in ${ref}`);
    return bytes;
  };
  return {
    label: `${ref} (${commit.slice(0, 12)})`,
    async listInputFiles() {
      return files;
    },
    async read(file) {
      return readNow(file);
    },
    // The parse cache is keyed by git blob ids: the files it knows are not read from git at all.
    keys: { known: (file) => objects.get(file), readNow },
  };
}

/** Every blob by object id, through one `git cat-file --batch`. */
function readBlobs(root: string, oids: readonly string[]): Map<string, Uint8Array> {
  let out: Buffer;
  try {
    out = execFileSync('git', ['cat-file', '--batch'], { cwd: root, input: oids.map((o) => `${o}\n`).join(''), maxBuffer: Number.MAX_SAFE_INTEGER, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { status?: number; stderr?: Buffer };
    throw new Error(`git cat-file --batch exited with ${e.status}: ${e.stderr?.toString().trim() ?? (error as Error).message}`);
  }
  const blobs = new Map<string, Uint8Array>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const [oid, type, size] = out.subarray(at, eol).toString().split(' ');
    if (type === 'missing' || size === undefined) throw new Error(`git cat-file: ${oid} is missing`);
    const start = eol + 1;
    blobs.set(oid!, out.subarray(start, start + Number(size)));
    at = start + Number(size) + 1; // contents, then a newline
  }
  return blobs;
}

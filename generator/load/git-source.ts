import { simpleGit } from 'simple-git';
import { INPUT_FOLDERS, type InputSource } from './input-source.js';

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

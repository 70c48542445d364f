import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * vitest's global setup: the whole run gets a temp folder of its own (TMPDIR, which the test
 * workers, git and every tool the tests start inherit), removed when the run ends. Besides the
 * tests' own folders, the generator keeps its caches in the temp folder for fleets without
 * node_modules (cache-dir.ts): a run of the suite left about 300 cache files behind for 30 days.
 */
export default function useTemporaryTmpdir(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(path.join(tmpdir(), 'ozg-test-run-'));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}

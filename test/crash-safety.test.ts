import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverInterruptedWrite } from '../generator/write/write-tree.js';
import { acquireLock } from '../generator/write/lock.js';
import { CLI_BIN as CLI, cli, copyFleet, edit, read, PROJECT_ROOT, snapshotTree, tempDir, write } from './helpers/fleet.js';

const SMALL = path.join(PROJECT_ROOT, 'test/fixtures/small-fleet/input');

/** 300 Kommunen in test: enough files that the write phase takes a while. */
function bigFleet(): string {
  const root = tempDir();
  write(root, 'environments/test.yaml', read(SMALL, 'environments/test.yaml'));
  for (let i = 0; i < 300; i++) {
    const n = String(i).padStart(3, '0');
    write(root, `tenants/sh/sh-amt-${n}.yaml`, `id: sh-amt-${n}\nname: Amt ${n}\nags: "01054${n}"\nenvironments: [test]\n`);
  }
  return root;
}

/** Runs `fn` with a fresh tmpfs of `size` mounted (this needs root, as CI runs), unmounted afterwards. */
async function withTmpfs(size: string, fn: (mnt: string) => Promise<void>): Promise<void> {
  const mnt = tempDir('ozg-tmpfs-');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  expect(mounted.status, `mount tmpfs (this test needs root, as CI runs): ${mounted.stderr}`).toBe(0);
  try {
    await fn(mnt);
  } finally {
    spawnSync('umount', [mnt]);
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

function stagedCount(root: string): number {
  // Staged files sit at their own paths under the staging folder.
  const files = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  return readdirSync(root).filter((e) => e.startsWith('.ozg-gitops-staging-')).reduce((n, d) => n + files(path.join(root, d)), 0);
}

/** A change that rewrites every baseline and one ApplicationSet per cluster. */
function change(root: string): void {
  edit(root, 'environments/test.yaml', (t) => t.replace('cpu: "4"', 'cpu: "6"').replace(/(depName=alfa\n    version: )1\.12\.0/, '$11.13.0'));
}

function trees(root: string): string {
  const all = [...snapshotTree(path.join(root, 'dist'))].map(([f, c]) => `d/${f}\0${c}`);
  all.push(...[...snapshotTree(path.join(root, 'argocd'))].map(([f, c]) => `a/${f}\0${c}`));
  return all.sort().join('\n');
}

/** Runs the built CLI; `fault` names a test hook point (generator/write/fault-points.ts). */
function runGenerate(root: string, fault?: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'generate', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OZG_GITOPS_FAULT: fault ?? '' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

describe('crash safety', () => {
  it('a generate killed at chosen points of its write leaves dist/ old, or new once the next run completes the committed journal', async () => {
    const root = bigFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    const oldTrees = trees(root);
    const pristine = tempDir();
    cpSync(root, pristine, { recursive: true });

    const expectedNew = tempDir();
    cpSync(root, expectedNew, { recursive: true });
    change(expectedNew);
    const check = await cli('generate', '--root', expectedNew, '--check');
    const staged = check.stdout.split('\n').filter((l) => l.startsWith('differs: ')).length;
    expect(staged).toBeGreaterThan(300);
    expect((await cli('generate', '--root', expectedNew)).code).toBe(0);
    const newTrees = trees(expectedNew);
    expect(newTrees).not.toBe(oldTrees);

    const half = Math.floor(staged / 2);
    // Before the commit point (the old trees must stand) and after it (the next run completes the write).
    const points: [string, 'old' | 'new'][] = [
      ['stage@1', 'old'], [`stage@${half}`, 'old'], [`stage@${staged}`, 'old'],
      ['commit@1', 'new'], ['move@1', 'new'], [`move@${half}`, 'new'], [`move@${staged}`, 'new'],
    ];
    const journal = path.join(root, '.ozg-gitops-journal.json');
    for (const [point, outcome] of points) {
      rmSync(root, { recursive: true });
      cpSync(pristine, root, { recursive: true });
      change(root);
      const run = await runGenerate(root, point).done;
      expect(run.signal, `${point}: the hook was reached (${run.stderr})`).toBe('SIGKILL');
      expect(existsSync(journal), `${point}: journal committed`).toBe(outcome === 'new');
      if (outcome === 'old') expect(trees(root) === oldTrees, `${point}: the old trees stand`).toBe(true);
      const next = await cli('generate', '--root', root);
      expect(next.code, next.stderr).toBe(0);
      expect(trees(root) === newTrees, `${point}, then the next run`).toBe(true);
      expect(readdirSync(root).filter((e) => e.startsWith('.ozg-gitops')), `${point}: nothing left over`).toEqual([]);
    }
  }, 300_000);

  it('new Kommunen and a first run move in as whole folders; a run killed after the commit point is completed by the next one', async () => {
    const root = bigFleet();
    const journal = path.join(root, '.ozg-gitops-journal.json');
    // A first run into an empty place: dist/ moves in whole.
    const first = await runGenerate(root, 'move@1').done;
    expect(first.signal).toBe('SIGKILL');
    const moves = (JSON.parse(readFileSync(journal, 'utf8')) as { moves: [string, string][] }).moves.map(([, to]) => path.relative(root, to));
    expect(moves).toEqual(expect.arrayContaining(['dist', 'argocd']));
    expect(moves.length).toBeLessThan(5);
    expect((await cli('generate', '--root', root)).code).toBe(0);
    // Two new Kommunen and one changed pin: two folders and the changed files move.
    for (const n of ['300', '301']) write(root, `tenants/sh/sh-amt-${n}.yaml`, `id: sh-amt-${n}\nname: Amt ${n}\nags: "01054${n}"\nenvironments: [test]\n`);
    change(root);
    const expected = tempDir();
    cpSync(root, expected, { recursive: true });
    expect((await cli('generate', '--root', expected)).code).toBe(0);
    const run = await runGenerate(root, 'move@1').done;
    expect(run.signal).toBe('SIGKILL');
    const second = (JSON.parse(readFileSync(journal, 'utf8')) as { moves: [string, string][] }).moves.map(([, to]) => path.relative(root, to));
    expect(second).toEqual(expect.arrayContaining(['dist/test/kommunen/sh-amt-300', 'dist/test/kommunen/sh-amt-301']));
    // Nothing moves into them file by file (their AppProjects live in a folder that exists).
    expect(second.filter((m) => /kommunen\/sh-amt-30[01]\//.test(m))).toEqual([]);
    expect((await cli('generate', '--root', root)).code).toBe(0);
    expect(trees(root)).toBe(trees(expected));
    expect(readdirSync(root).filter((e) => e.startsWith('.ozg-gitops')), 'nothing left over').toEqual([]);
  }, 120_000);

  it('a run killed while pruning removed Kommunen is completed by the next one', async () => {
    const root = bigFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    for (let i = 0; i < 3; i++) rmSync(path.join(root, `tenants/sh/sh-amt-00${i}.yaml`));
    const expectedNew = tempDir();
    cpSync(root, expectedNew, { recursive: true });
    expect((await cli('generate', '--root', expectedNew)).code).toBe(0);
    const run = await runGenerate(root, 'remove@2').done;
    expect(run.signal).toBe('SIGKILL');
    expect(await recoverInterruptedWrite(root, [path.join(root, 'dist'), path.join(root, 'argocd')])).toBe(true);
    expect(trees(root)).toBe(trees(expectedNew));
  }, 120_000);

  it('a second generate while one holds the lock stops with a clear message and writes nothing', async () => {
    const root = bigFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    change(root);
    const expectedNew = tempDir();
    cpSync(root, expectedNew, { recursive: true });
    expect((await cli('generate', '--root', expectedNew)).code).toBe(0);
    // The first run is frozen (SIGSTOP by the hook) halfway through staging, holding the lock.
    const first = runGenerate(root, 'stage@100:stop');
    await waitFor(() => first.child.exitCode === null && readdirSync(root).some((e) => e.startsWith('.ozg-gitops-staging-')) && stagedCount(root) >= 100);
    const before = trees(root);
    const second = await runGenerate(root).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another ozg-gitops \\(pid ${first.child.pid}\\) is writing in .*; wait for it to finish`));
    expect(trees(root)).toBe(before);
    first.child.kill('SIGCONT');
    expect((await first.done).code).toBe(0);
    expect(trees(root)).toBe(trees(expectedNew));
  }, 120_000);

  it('a lock held by a live process stops generate; one left by a dead process is taken over', async () => {
    const root = tempDir();
    cpSync(SMALL, root, { recursive: true });
    // The test runner's parent stands in for a generate that is still running.
    writeFileSync(path.join(root, '.ozg-gitops.lock'), String(process.ppid));
    const held = await cli('generate', '--root', root);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`another ozg-gitops (pid ${process.ppid}) is writing in ${root}`);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
    writeFileSync(path.join(root, '.ozg-gitops.lock'), '999999999');
    expect((await cli('generate', '--root', root)).code).toBe(0);
    expect(existsSync(path.join(root, '.ozg-gitops.lock'))).toBe(false);
  });
});

describe('the lock', () => {
  it('two runs that find the same stale lock never both take it over', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.ozg-gitops.lock'), '999999999');
    const outcomes: string[] = [];
    const attempt = (hooks = {}) => {
      try {
        acquireLock(dir, hooks);
        outcomes.push('held');
      } catch (error) {
        outcomes.push((error as { code?: string }).code ?? 'thrown');
      }
    };
    // The second run arrives after the first has seen the dead owner and before it deletes the lock.
    attempt({ beforeTakeover: () => attempt() });
    expect(outcomes).toEqual(['held', 'E_LOCKED']);
  });
});

describe('a full disk', () => {
  it('stops generate with a clear message, exit 1, and leaves the output as it was', async () => {
    // A small tmpfs for the output, nearly full after the first generate.
    await withTmpfs('1m', async (mnt) => {
      const root = copyFleet(SMALL);
      const out = ['--out', path.join(mnt, 'dist'), '--bootstrap-out', path.join(mnt, 'argocd')];
      expect((await cli('generate', '--root', root, ...out)).code).toBe(0);
      // Fill the disk but for 8 KiB: room for two changed files, not for eighteen.
      const free = Number(spawnSync('df', ['--output=avail', '-B1', mnt], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1));
      writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 8192)));
      const before = snapshotTree(mnt);
      edit(root, 'environments/prod.yaml', (t) => t.replace(/version: (\d+)\.(\d+)\.(\d+)/g, (_, a, b) => `version: ${a}.${Number(b) + 1}.0`).replace('cpu: "4"', 'cpu: "5"'));
      edit(root, 'environments/test.yaml', (t) => t.replace('cpu: "4"', 'cpu: "5"').replace('memory: 8Gi', 'memory: 9Gi'));
      const run = await cli('generate', '--root', root, ...out);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toMatch(/^error: cannot write (the output|\S+): no space left on the device; the output is unchanged$/m);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(snapshotTree(mnt)).toEqual(before);
    });
  });
});

describe('output on another file system', () => {
  it('--bootstrap-out on another file system is staged there, so no move crosses file systems (EXDEV)', async () => {
    await withTmpfs('16m', async (mnt) => {
      const root = copyFleet(SMALL);
      const bootstrap = path.join(mnt, 'argocd');
      expect((await cli('generate', '--root', root, '--bootstrap-out', bootstrap)).code).toBe(0);
      edit(root, 'environments/test.yaml', (t) => t.replace('cpu: "4"', 'cpu: "5"'));
      edit(root, 'environments/prod.yaml', (t) => t.replace(/repoURL: (\S+)/, 'repoURL: $1-moved'));
      const second = await cli('generate', '--root', root, '--bootstrap-out', bootstrap);
      expect(second.code, second.stderr).toBe(0);
      const expected = copyFleet(SMALL);
      cpSync(path.join(root, 'environments'), path.join(expected, 'environments'), { recursive: true });
      expect((await cli('generate', '--root', expected)).code).toBe(0);
      expect(snapshotTree(bootstrap)).toEqual(snapshotTree(path.join(expected, 'argocd')));
      expect(snapshotTree(path.join(root, 'dist'))).toEqual(snapshotTree(path.join(expected, 'dist')));
      expect((await cli('generate', '--root', root, '--bootstrap-out', bootstrap, '--check')).code).toBe(0);
    });
  });
});

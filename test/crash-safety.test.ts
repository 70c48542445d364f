import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverInterruptedWrite } from '../generator/write/write-tree.js';
import { cli, copyFleet, edit, read, PROJECT_ROOT, SAMPLE_FLEET, snapshotTree, tempDir, write } from './helpers/fleet.js';

const CLI = path.join(PROJECT_ROOT, 'build/generator/cli/main.js');
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

/** A change that rewrites every baseline and one ApplicationSet per cluster. */
function change(root: string): void {
  edit(root, 'environments/test.yaml', (t) => t.replace('cpu: "4"', 'cpu: "6"').replace(/(depName=alfa\n    version: )1\.12\.0/, '$11.13.0'));
}

function trees(root: string): string {
  const all = [...snapshotTree(path.join(root, 'dist'))].map(([f, c]) => `d/${f}\0${c}`);
  all.push(...[...snapshotTree(path.join(root, 'argocd'))].map(([f, c]) => `a/${f}\0${c}`));
  return all.sort().join('\n');
}

function runGenerate(root: string): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, 'generate', '--root', root], { stdio: 'ignore' });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('crash safety', () => {
  it('a generate killed at any moment leaves dist/ fully old or fully new (after the next run completes a committed write)', async () => {
    const root = bigFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    const oldTrees = trees(root);
    const pristine = tempDir();
    cpSync(root, pristine, { recursive: true });

    const expectedNew = tempDir();
    cpSync(root, expectedNew, { recursive: true });
    change(expectedNew);
    expect((await cli('generate', '--root', expectedNew)).code).toBe(0);
    const newTrees = trees(expectedNew);
    expect(newTrees).not.toBe(oldTrees);

    // How long an uninterrupted run takes here, to spread the kills over it.
    change(root);
    const started = Date.now();
    expect(await runGenerate(root).done).toBe(0);
    const full = Date.now() - started;

    const outcomes = { old: 0, new: 0, completedByRecovery: 0 };
    const journal = path.join(root, '.ozg-gitops-journal.json');
    // Kills spread over the run, and kills the moment the journal is committed (inside the write phase).
    const kills: (number | 'at-commit')[] = [0.3, 0.6, 0.8, 0.9, 0.95, 0.99].map((f) => Math.round(f * full));
    kills.push('at-commit', 'at-commit', 'at-commit', 'at-commit');
    for (const when of kills) {
      rmSync(root, { recursive: true });
      cpSync(pristine, root, { recursive: true });
      change(root);
      const run = runGenerate(root);
      if (when === 'at-commit') {
        const deadline = Date.now() + full * 3;
        while (!existsSync(journal) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      } else {
        await new Promise((r) => setTimeout(r, when));
      }
      run.kill();
      await run.done;
      const now = trees(root);
      if (!existsSync(journal)) expect(now === oldTrees || now === newTrees, `killed ${when}: a tree that is neither old nor new`).toBe(true);
      const recovered = await recoverInterruptedWrite(root);
      const after = trees(root);
      expect(after === oldTrees || after === newTrees, `killed ${when}, then recovered`).toBe(true);
      if (recovered) outcomes.completedByRecovery++;
      else if (after === newTrees) outcomes.new++;
      else outcomes.old++;
    }
    console.log(`crash safety: full run ${full} ms; ${kills.length} kills: ${JSON.stringify(outcomes)}`);
    // At least one kill landed after the commit point and was completed by recovery.
    expect(outcomes.completedByRecovery).toBeGreaterThan(0);
  }, 300_000);

  it('a second generate while one runs stops with a clear message and never interleaves', async () => {
    const root = bigFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    change(root);
    const expectedNew = tempDir();
    cpSync(root, expectedNew, { recursive: true });
    expect((await cli('generate', '--root', expectedNew)).code).toBe(0);
    const run = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, 'generate', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    // Both may succeed one after the other; a loser of the race says why and writes nothing.
    expect(results.some((r) => r.code === 0)).toBe(true);
    for (const r of results.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another ozg-gitops \(pid \d+\) is writing in .*; wait for it to finish/);
    }
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

describe('a full disk', () => {
  it('stops generate with a clear message, exit 1, and leaves the output as it was', async () => {
    // A small tmpfs for the output, nearly full after the first generate.
    const mnt = tempDir('ozg-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    expect(mounted.status, `mount tmpfs (this test needs root, as CI runs): ${mounted.stderr}`).toBe(0);
    try {
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
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

import path from 'node:path';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { applicationList, argoStub } from './helpers/argocd-server.js';
import { cli, read, SAMPLE_FLEET, snapshotTree } from './helpers/fleet.js';
import { git, gitRepo } from './helpers/git.js';
import { fleetWithRemote } from './helpers/git-server.js';

type Step = { matchExpressions: { values: string[] }[]; maxUpdate: number | string };
const stepsOf = (dir: string, file: string) => (loadAll(read(dir, file)) as { spec: { strategy: { rollingSync: { steps: Step[] } } } }[])[0]!.spec.strategy.rollingSync.steps;

describe('halt and resume', () => {
  it('halt is one line that renders maxUpdate 0 on every step of the affected ApplicationSets, as a merge request; resume restores the bytes', async () => {
    const { dir, git: g, remote } = await fleetWithRemote(SAMPLE_FLEET);
    const before = snapshotTree(dir);
    const halted = await cli('halt', '--env', 'prod', '--app', 'vorgang-manager', '--reason', 'XTA errors after 2.15.0', '--root', dir, '--push', 'origin');
    expect(halted.code, halted.stderr).toBe(0);
    // One line in the environment file, two ApplicationSets re-rendered, nothing else.
    const numstat = (await g.raw(['diff', '--numstat', 'HEAD~1', 'HEAD'])).trim().split('\n').sort();
    expect(numstat).toEqual([
      '1\t0\tenvironments/prod.yaml',
      '3\t3\tdist/prod/argocd/main/applicationsets/prod-sh-1/vorgang-manager.yaml',
      '3\t3\tdist/prod/argocd/main/applicationsets/prod-sh-2/vorgang-manager.yaml',
    ]);
    for (const cluster of ['prod-sh-1', 'prod-sh-2']) {
      const steps = stepsOf(dir, `dist/prod/argocd/main/applicationsets/${cluster}/vorgang-manager.yaml`);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.map((s) => s.maxUpdate)).toEqual(steps.map(() => 0));
      expect(stepsOf(dir, `dist/prod/argocd/main/applicationsets/${cluster}/alfa.yaml`).every((s) => s.maxUpdate !== 0)).toBe(true);
    }
    const options = remote.pushOptions();
    expect(options).toContain('merge_request.create');
    expect(options).toContain('merge_request.title=Halt the rollout in prod (vorgang-manager): XTA errors after 2.15.0');
    expect(options).toContain('merge_request.label=halt');
    expect(options.find((o) => o.startsWith('merge_request.description='))).toContain('prod: HALTED (vorgang-manager): XTA errors after 2.15.0');
    expect((await git(remote.dir).raw(['branch', '--list'])).trim()).toContain('halt/prod-vorgang-manager');

    // Shown loudly by validate and plan
    const validate = await cli('validate', '--root', dir);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toMatch(/^environments\/prod\.yaml:\d+:\d+: warning W_HALTED: the rollout in prod is HALTED: XTA errors after 2\.15\.0/m);
    const plan = await cli('plan', '--root', dir, '--base', 'main');
    expect(plan.stdout).toContain('  HALTED (vorgang-manager): XTA errors after 2.15.0; Argo CD updates no Application of these ApplicationSets until ozg-gitops resume --env prod is merged');
    expect((await cli('plan', '--root', dir, '--base', 'main', '--exit-code')).code).toBe(3);

    const resumed = await cli('resume', '--env', 'prod', '--root', dir, '--branch');
    expect(resumed.code, resumed.stderr).toBe(0);
    // Byte for byte what it was before the halt: inputs and rendered output.
    const after = snapshotTree(dir);
    for (const [file, bytes] of before) if (!file.startsWith('.git/') && !file.startsWith('.git' + path.sep)) expect(after.get(file), file).toBe(bytes);
    const resumedPlan = await cli('plan', '--root', dir, '--base', 'HEAD~1');
    expect(resumedPlan.stdout).toContain('  RESUMED: lifts the halt of vorgang-manager (XTA errors after 2.15.0); the rollout continues where it stopped');
  });

  it('halt without --app stops every ApplicationSet of the environment; a second halt is refused', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    expect((await cli('halt', '--env', 'test', '--reason', 'freeze for the audit', '--root', dir)).code).toBe(0);
    const appSets = [...snapshotTree(path.join(dir, 'dist/test/argocd/main/applicationsets')).keys()];
    expect(appSets.length).toBeGreaterThan(5);
    for (const f of appSets) expect(stepsOf(dir, `dist/test/argocd/main/applicationsets/${f}`).every((s) => s.maxUpdate === 0), f).toBe(true);
    const again = await cli('halt', '--env', 'test', '--reason', 'again', '--root', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the rollout in environments/test.yaml is already halted; resume it first');
  });

  it('status says halted, not in progress', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    expect((await cli('halt', '--env', 'prod', '--reason', 'bad release', '--root', dir)).code).toBe(0);
    const stub = await argoStub((_, res) => res.end(applicationList([])));
    process.env.ARGOCD_AUTH_TOKEN = 'test-token';
    const run = await cli('status', '--env', 'prod', '--root', dir, '--server', stub.url);
    expect(run.code).toBe(3);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('prod: rollout HALTED');
    expect(lines[1]).toBe('HALTED: bad release; Argo CD updates no further Application until ozg-gitops resume --env prod is merged');
    const json = JSON.parse((await cli('status', '--env', 'prod', '--root', dir, '--server', stub.url, '--format', 'json')).stdout);
    expect(json.state).toBe('halted');
  });
});

describe('rollback', () => {
  it('returns an app to the version before its last bump, from the history of the environment file, and lists exceptions on the bad version', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    // The canaries got 2.15.0 first (a governed exception), then everyone.
    expect((await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--wave', 'canary', '--reason', 'canary first', '--until', '2026-12-31', '--root', dir, '--branch')).code).toBe(0);
    const original = read(dir, 'environments/prod.yaml');
    expect((await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir, '--branch')).code).toBe(0);
    // an unrelated change to the same file in between
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--root', dir, '--branch')).code).toBe(0);
    await g.raw(['checkout', '-q', '-b', 'work']);
    const run = await cli('rollback', 'vorgang-manager', '--env', 'prod', '--root', dir, '--branch');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^Roll back vorgang-manager 2\.15\.0 → 2\.14\.1 in prod \(the version before its last bump, found in [0-9a-f]{12}\)$/);
    expect(run.stdout.split('\n')).toContain('still on 2.15.0: the exception for wave canary until 2026-12-31 (canary first); remove it to roll those back too');
    expect((load(read(dir, 'environments/prod.yaml')) as { apps: Record<string, { version: string }> }).apps['vorgang-manager']!.version).toBe('2.14.1');
    // The bump round-trips: only alfa differs from the original file now.
    const lines = (text: string) => text.split('\n');
    const diff = lines(read(dir, 'environments/prod.yaml')).filter((l, i) => l !== lines(original)[i]);
    expect(diff).toEqual(['    version: 1.13.0']);
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('rollback/prod/vorgang-manager-2.14.1');
    expect((await cli('generate', '--root', dir, '--check')).code).toBe(0);
  });

  it('says so when there is nothing to go back to', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const none = await cli('rollback', 'alfa', '--env', 'prod', '--root', dir);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the history of environments/prod.yaml has no version of alfa other than 1.12.0; nothing to roll back to');
  });
});

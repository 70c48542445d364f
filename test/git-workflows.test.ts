import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, edit, read, SAMPLE_FLEET, snapshotTree, tempDir, write } from './helpers/fleet.js';
import { git, gitRepo } from './helpers/git.js';
import { bareRemote, fleetWithRemote, gitDaemon } from './helpers/git-server.js';
import { publishDist } from '../generator/git/publish.js';
import { applyInputChange } from '../generator/change/apply-change.js';
import { commitPaths } from '../generator/git/repo.js';

async function changedFiles(dir: string, range = 'HEAD~1..HEAD'): Promise<string[]> {
  return (await git(dir).raw(['diff', '--name-only', range])).trim().split('\n').filter(Boolean).sort();
}

/** Someone pushed a branch of this name first, on another commit than ours: our push is not a fast-forward. */
async function pushedFirst(remoteDir: string, branch: string): Promise<void> {
  const theirs = git(remoteDir);
  const tree = (await theirs.raw(['rev-parse', 'main^{tree}'])).trim();
  const commit = (await theirs.raw(['-c', 'user.name=Other', '-c', 'user.email=other@example.org', 'commit-tree', tree, '-p', 'main', '-m', 'theirs'])).trim();
  await theirs.raw(['update-ref', `refs/heads/${branch}`, commit]);
}

describe('bump', () => {
  it('changes exactly one line of the environment, keeps every comment, and re-renders a small dist/ change', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const before = read(dir, 'environments/prod.yaml');
    const run = await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir);
    expect(run.code, run.stderr).toBe(0);
    const after = read(dir, 'environments/prod.yaml');
    const a = before.split('\n');
    const b = after.split('\n');
    expect(b.length).toBe(a.length);
    expect(b.filter((line, i) => line !== a[i])).toEqual(['    version: 2.15.0']);
    expect(after.replace('    version: 2.15.0', '    version: 2.14.1')).toBe(before);
    const diff = (await git(dir).raw(['diff', '--numstat'])).trim().split('\n');
    expect(diff).toEqual([
      '1\t1\tdist/prod/argocd/main/applicationsets/prod-sh-1/vorgang-manager.yaml',
      '1\t1\tdist/prod/argocd/main/applicationsets/prod-sh-2/vorgang-manager.yaml',
      '1\t1\tenvironments/prod.yaml',
    ]);
  });

  it('--branch commits input and rendered change together with the impact in the message', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    const run = await cli('bump', 'alfa', '1.13.0', '--env', 'test', '--root', dir, '--branch');
    expect(run.code, run.stderr).toBe(0);
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('bump/test/alfa-1.13.0');
    expect(await changedFiles(dir)).toEqual(['dist/test/argocd/main/applicationsets/test-sh-1/alfa.yaml', 'environments/test.yaml']);
    const message = (await g.raw(['log', '-1', '--format=%B'])).trim();
    expect(message.split('\n')[0]).toBe('Bump alfa 1.12.0 → 1.13.0 in test');
    expect(message).toContain('    22 Kommunen: alfa 1.12.0 → 1.13.0');
    expect(message).toContain('whose Applications per wave are: canary 2 in 1 step · early 3 in 3 steps · main 17 in 5 steps');
    // Nothing git would take for a comment when the commit is amended in an editor.
    expect(message.split('\n').filter((l) => l.startsWith('#'))).toEqual([]);
    expect((await g.status()).isClean()).toBe(true);
    // The plan took its base from the tree it read, with the edit taken back: the same plan as
    // one that reads the base from git.
    const start = (await g.revparse(['HEAD~1'])).trim();
    const fromGit = await cli('plan', '--root', dir, '--base', start);
    expect(fromGit.code, fromGit.stderr).toBe(0);
    const body = (text: string) => text.trim().split('\n').slice(1);
    expect(message).toContain(`Plan against HEAD (${start.slice(0, 12)})`);
    expect(body(fromGit.stdout)).toContain('    22 Kommunen: alfa 1.12.0 → 1.13.0');
    expect(body(message.split('\n\n').slice(1).join('\n\n'))).toEqual(body(fromGit.stdout));
  });

  it('a change commits exactly the files it names: changes, additions and deletions, and nothing else', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    edit(dir, 'environments/test.yaml', (t) => `${t}# changed\n`);
    write(dir, 'dist/test/kommunen/sh-new/baseline.yaml', 'kind: Namespace\n');
    rmSync(path.join(dir, 'dist/test/kommunen/sh-kiel/baseline.yaml'));
    edit(dir, 'tenants/sh/sh-kiel.yaml', (t) => `${t}# not part of the change\n`);
    await commitPaths(dir, ['environments/test.yaml', 'dist/test/kommunen/sh-new/baseline.yaml', 'dist/test/kommunen/sh-kiel/baseline.yaml'], 'change');
    expect(await changedFiles(dir)).toEqual(['dist/test/kommunen/sh-kiel/baseline.yaml', 'dist/test/kommunen/sh-new/baseline.yaml', 'environments/test.yaml']);
    expect((await g.raw(['diff', '--name-status', 'HEAD~1', 'HEAD', '--', 'dist/test/kommunen/sh-kiel/baseline.yaml'])).trim()).toBe('D\tdist/test/kommunen/sh-kiel/baseline.yaml');
    expect((await g.status()).modified).toEqual(['tenants/sh/sh-kiel.yaml']);
  });

  it('--push opens a merge request through GitLab push options on a remote served over git://127.0.0.1', async () => {
    const { dir, remote } = await fleetWithRemote(SAMPLE_FLEET);
    const run = await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir, '--push', 'origin');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toContain('merge request: http://127.0.0.1/ozg/gitops/-/merge_requests/1');
    const options = remote.pushOptions();
    expect(options[0]).toBe('merge_request.create');
    expect(options).toContain('merge_request.target=main');
    expect(options).toContain('merge_request.title=Bump vorgang-manager 2.14.1 → 2.15.0 in prod');
    expect(options).toContain('merge_request.label=ozg-gitops');
    expect(options).toContain('merge_request.label=env::prod');
    expect(options.find((o) => o.startsWith('merge_request.description='))).toContain('prod: vorgang-manager 2.14.1 → 2.15.0 (22), about 16 min');
    const remoteBranches = (await git(remote.dir).raw(['branch', '--list'])).trim();
    expect(remoteBranches).toContain('bump/prod/vorgang-manager-2.15.0');
  });

  it('a push the remote rejects is rolled back: files, index, branch and HEAD as before', async () => {
    const { dir, git: g, remote } = await fleetWithRemote(SAMPLE_FLEET);
    const head = (await g.revparse(['HEAD'])).trim();
    const before = snapshotTree(dir);
    await pushedFirst(remote.dir, 'bump/prod/vorgang-manager-2.15.0');
    const run = await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir, '--push', 'origin');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('push to origin failed');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // The change was written, rendered, staged and committed before the push: all of it taken back.
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
    expect((await g.revparse(['HEAD'])).trim()).toBe(head);
    expect((await g.raw(['branch', '--list'])).trim()).toBe('* main');
    expect((await g.raw(['diff', '--cached', '--name-only'])).trim()).toBe('');
    expect((await g.status()).isClean()).toBe(true);
    const after = snapshotTree(dir);
    for (const [file, bytes] of before) if (!file.startsWith('.git/')) expect(after.get(file), file).toBe(bytes);
  });

  it('a version for one Kommune is a governed exception with reason and expiry', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const missing = await cli('bump', 'vorgang-manager', '2.14.2', '--env', 'prod', '--tenant', 'sh-kiel', '--root', dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--reason and --until are required');
    const past = await cli('bump', 'vorgang-manager', '2.14.2', '--env', 'prod', '--tenant', 'sh-kiel', '--reason', 'hotfix', '--until', '2026-01-01', '--root', dir);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('--until 2026-01-01 is in the past');
    const run = await cli('bump', 'vorgang-manager', '2.14.2', '--env', 'prod', '--tenant', 'sh-kiel', '--reason', "hotfix for Kiel's XTA mailbox", '--until', '2027-01-31', '--root', dir);
    expect(run.code, run.stderr).toBe(0);
    expect(read(dir, 'environments/prod.yaml').endsWith('exceptions:\n  - app: vorgang-manager\n    version: 2.14.2\n    tenant: sh-kiel\n    reason: "hotfix for Kiel\'s XTA mailbox"\n    until: "2027-01-31"\n')).toBe(true);
    expect(read(dir, 'dist/prod/argocd/main/applicationsets/prod-sh-2/vorgang-manager.yaml')).toContain('versionException: 2.14.2');
    const wave = await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--wave', 'canary', '--reason', 'canary first', '--until', '2027-01-31', '--root', dir);
    expect(wave.code, wave.stderr).toBe(0);
    expect(read(dir, 'environments/prod.yaml')).toContain('  - app: alfa\n    version: 1.13.0\n    wave: canary\n');
  });

  it('refuses bad requests and leaves the working tree and branch as they were', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    const head = (await g.revparse(['HEAD'])).trim();
    const cases: { args: string[]; code: number; message: string }[] = [
      { args: ['bump', 'vorgangs-manager', '2.15.0', '--env', 'prod'], code: 1, message: 'app vorgangs-manager is not in the catalogue of prod; did you mean vorgang-manager?' },
      { args: ['bump', 'vorgang-manager', '2.15', '--env', 'prod'], code: 2, message: "command-argument value '2.15' is invalid for argument 'version'. expected a semantic version, e.g. 2.15.0" },
      { args: ['bump', 'vorgang-manager', '2.13.0', '--env', 'prod'], code: 1, message: '2.13.0 is lower than vorgang-manager\'s current 2.14.1 in prod; pass --allow-downgrade' },
      { args: ['bump', 'vorgang-manager', '2.15.0', '--env', 'staging'], code: 2, message: '--env: there is no environment staging; expected one of dev, prod, test' },
      { args: ['bump', 'vorgang-manager', 'v2.15.0', '--env', 'prod'], code: 2, message: 'expected a version without the leading "v": 2.15.0' },
      { args: ['bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--push', 'git://127.0.0.1:9/nothing'], code: 1, message: 'remote git://127.0.0.1:9/nothing is not reachable' },
    ];
    for (const c of cases) {
      const run = await cli(...c.args, '--root', dir);
      expect(run.code, c.args.join(' ')).toBe(c.code);
      expect(run.stderr).toContain(c.message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
    edit(dir, 'tenants/sh/sh-kiel.yaml', (t) => `${t}# local note\n`);
    const dirty = await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--branch', '--root', dir);
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toContain('the working tree has uncommitted changes (tenants/sh/sh-kiel.yaml)');
    await g.raw(['checkout', '--', 'tenants']);
    await g.raw(['checkout', '--quiet', '--detach', 'HEAD']);
    const detached = await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--branch', '--root', dir);
    expect(detached.code).toBe(1);
    expect(detached.stderr).toContain('HEAD is detached; check out a branch first');
    await g.checkout('main');
    // A downgrade on purpose goes through.
    expect((await cli('bump', 'vorgang-manager', '2.13.0', '--env', 'prod', '--allow-downgrade', '--branch', '--root', dir)).code).toBe(0);
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('bump/prod/vorgang-manager-2.13.0');
    expect((await g.raw(['reflog', '-1', '--format=%gs', 'bump/prod/vorgang-manager-2.13.0@{1}'])).trim()).toBe('branch: Created from main');
    // The commit is made with plumbing: one commit on top of main, its message cleaned up as `git commit -m` would, the reflog as git's, nothing left staged.
    const subject = (await g.raw(['log', '-1', '--format=%s'])).trim();
    expect(subject).toMatch(/^Bump vorgang-manager .* → 2\.13\.0 in prod$/);
    expect((await g.raw(['rev-parse', 'HEAD^'])).trim()).toBe(head);
    expect((await g.raw(['reflog', '-1', '--format=%gs', 'bump/prod/vorgang-manager-2.13.0'])).trim()).toBe(`commit: ${subject}`);
    const body = await g.raw(['cat-file', 'commit', 'HEAD']);
    expect(body).not.toMatch(/[ \t]$/m);
    expect(body).not.toMatch(/\n\n\n/);
    expect((await g.status()).isClean()).toBe(true);
    await g.checkout('main');
    // The same change again: its branch exists.
    const again = await cli('bump', 'vorgang-manager', '2.13.0', '--env', 'prod', '--allow-downgrade', '--branch', '--root', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('branch bump/prod/vorgang-manager-2.13.0 already exists; delete it or pick another change');
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
    expect((await g.revparse(['HEAD'])).trim()).toBe(head);
    expect((await g.status()).isClean()).toBe(true);
  });

  it('refuses files git does not track where a change reads or writes, and goes ahead with one elsewhere', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    // A generate leaves a run record: the bump's output scan then finds the stray in dist/, and git's index has no such file.
    expect((await cli('generate', '--root', dir)).code).toBe(0);
    expect((await g.status()).isClean()).toBe(true);
    const bump = () => cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--branch', '--root', dir);
    // A Kommune file would be rendered but not committed; a stray in dist/ would be removed and lost.
    for (const file of ['tenants/sh/sh-neustadt.yaml', 'dist/prod/kommunen/stray.yaml']) {
      write(dir, file, 'kept: true\n');
      const run = await bump();
      expect(run.code, file).toBe(1);
      expect(run.stderr).toContain(`the working tree has uncommitted changes (${file})`);
      expect(read(dir, file)).toBe('kept: true\n');
      expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
      rmSync(path.join(dir, file));
    }
    // A change commits only the paths it names: a note at the top of the repository neither stops it nor goes into it.
    write(dir, 'notes.txt', 'to do\n');
    const run = await bump();
    expect(run.code, run.stderr).toBe(0);
    expect(read(dir, 'notes.txt')).toBe('to do\n');
    expect(await changedFiles(dir)).not.toContain('notes.txt');
    expect(await changedFiles(dir)).toContain('environments/prod.yaml');
  });

  it('renews an exception that has expired in production: the plan compares with the tree the change repairs', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    const hotfix = ['--env', 'prod', '--tenant', 'sh-kiel', '--root', dir];
    expect((await cli('bump', 'vorgang-manager', '2.14.2', ...hotfix, '--reason', 'hotfix', '--until', '2027-01-31')).code).toBe(0);
    await g.raw(['add', '--all']);
    await g.commit('Hotfix for Kiel');
    const day = process.env.OZG_GITOPS_TODAY;
    process.env.OZG_GITOPS_TODAY = '2027-02-01';
    try {
      // The day after its end main no longer validates ...
      const main = await cli('validate', '--root', dir);
      expect(main.code).toBe(1);
      expect(main.stderr).toContain('E_EXCEPTION_EXPIRED: exception for vorgang-manager 2.14.2 (sh-kiel) expired on 2027-01-31');
      // ... and the change that renews it plans against main all the same, as its pipeline does.
      const renew = await cli('bump', 'vorgang-manager', '2.14.3', ...hotfix, '--reason', 'hotfix still needed', '--until', '2027-03-31', '--branch');
      expect(renew.code, renew.stderr).toBe(0);
      const message = (await g.raw(['log', '-1', '--format=%B'])).trim();
      expect(message).toContain('sh-kiel');
      expect(message).toContain('2.14.2 → 2.14.3');
      const plan = await cli('plan', '--root', dir, '--base', 'main');
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('2.14.2 → 2.14.3');
      // The head is held to every rule: a renewal that has itself expired is refused.
      await g.checkout('main');
      const late = await cli('bump', 'vorgang-manager', '2.14.3', ...hotfix, '--reason', 'too late', '--until', '2027-01-31', '--branch');
      expect(late.code).toBe(1);
    } finally {
      if (day === undefined) delete process.env.OZG_GITOPS_TODAY;
      else process.env.OZG_GITOPS_TODAY = day;
    }
  });

  it('a change that does not validate is rolled back: files, branch and HEAD as before', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    // prod-sh-2 carries four Kommunen; a wave exception for a wave that does not exist fails validation.
    const run = await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--wave', 'nightly', '--reason', 'try', '--until', '2027-01-01', '--branch', '--root', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_UNKNOWN_WAVE');
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
    expect((await g.raw(['branch', '--list'])).trim()).toBe('* main');
    expect((await g.status()).isClean()).toBe(true);
  });
});

describe('onboarding as a change', () => {
  it('tenant add --branch commits the Kommune file with its rendered output, the plan in the message', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    const appen = ['tenant', 'add', '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod', '--root', dir, '--branch'];
    // Refused like `tenant add`: nothing written, no branch.
    const taken = await cli('tenant', 'add', '--ags', '01002000', '--name', 'Kiel', '--env', 'test', '--root', dir, '--branch');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('E_DUPLICATE_AGS');
    expect((await g.raw(['branch', '--list'])).trim()).toBe('* main');
    expect((await g.status()).isClean()).toBe(true);
    const run = await cli(...appen);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('Onboard Gemeinde Appen (sh-appen)');
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('onboard/sh-appen');
    const files = await changedFiles(dir);
    expect(files).toContain('tenants/sh/sh-appen.yaml');
    expect(files).toContain('dist/prod/kommunen/sh-appen/baseline.yaml');
    expect(files).toContain('dist/test/argocd/main/applicationsets/test-sh-1/vorgang-manager.yaml');
    expect(files.filter((f) => f.startsWith('dist/dev/'))).toEqual([]);
    const message = (await g.raw(['log', '-1', '--format=%B'])).trim();
    expect(message.split('\n')[0]).toBe('Onboard Gemeinde Appen (sh-appen)');
    expect(message).toContain('  Kommunen added: sh-appen');
    expect((await g.status()).isClean()).toBe(true);
    // What was committed is what the inputs render to.
    expect((await cli('generate', '--check', '--root', dir)).code).toBe(0);
  });

  it('a change that adds files and does not validate takes them back, and the folder made for one', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    const before = snapshotTree(dir);
    const edits = new Map([
      ['tenants/by/by-muenchen.yaml', 'id: by-muenchen\nname: München\nags: "09162000"\nenvironments: [staging]\n'],
      ['tenants/sh/sh-appen.yaml', 'id: sh-appen\nname: Appen\nags: "01056001"\nenvironments: [test]\n'],
    ]);
    await expect(applyInputChange({ root: dir, edits, branch: 'onboard/by-muenchen', title: 'Onboard München', labels: [], today: '2026-11-29' })).rejects.toThrow('the change does not validate');
    expect(existsSync(path.join(dir, 'tenants/by'))).toBe(false);
    expect(existsSync(path.join(dir, 'tenants/sh/sh-appen.yaml'))).toBe(false);
    expect((await g.raw(['branch', '--list'])).trim()).toBe('* main');
    expect((await g.status()).isClean()).toBe(true);
    const after = snapshotTree(dir);
    expect([...after.keys()].filter((file) => !file.startsWith('.git/') && !before.has(file))).toEqual([]);
  });

  it('a push the remote rejects takes back the new files and the folder made for them', async () => {
    const { dir, git: g, remote } = await fleetWithRemote(SAMPLE_FLEET);
    // test serves Bayern from now on: München's file would be the first in tenants/by/.
    edit(dir, 'environments/test.yaml', (t) => t.replace('laender: [sh]', 'laender: [sh, by]'));
    expect((await cli('generate', '--root', dir)).code).toBe(0);
    await g.raw(['add', '--all']);
    await g.commit('test serves Bayern');
    await g.push('origin', 'main');
    const head = (await g.revparse(['HEAD'])).trim();
    const before = snapshotTree(dir);
    await pushedFirst(remote.dir, 'onboard/by-muenchen-and-1-more');
    const table = path.join(tempDir(), 'kommunen.csv');
    writeFileSync(table, 'ags;name\n09162000;Landeshauptstadt München\n01056001;Appen\n');
    const run = await cli('tenant', 'import', table, '--env', 'test', '--root', dir, '--push', 'origin');
    expect(run.code, run.stdout).toBe(1);
    expect(run.stderr).toContain('push to origin failed');
    expect(existsSync(path.join(dir, 'tenants/by'))).toBe(false);
    expect(existsSync(path.join(dir, 'tenants/sh/sh-appen.yaml'))).toBe(false);
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('main');
    expect((await g.revparse(['HEAD'])).trim()).toBe(head);
    expect((await g.raw(['branch', '--list'])).trim()).toBe('* main');
    expect((await g.status()).isClean()).toBe(true);
    const after = snapshotTree(dir);
    for (const [file, bytes] of before) if (!file.startsWith('.git/')) expect(after.get(file), file).toBe(bytes);
    expect([...after.keys()].filter((file) => !file.startsWith('.git/') && !before.has(file))).toEqual([]);
  });
});

describe('promote', () => {
  it('copies the pins test runs to prod as one change', async () => {
    const { dir, git: g } = await gitRepo({ from: SAMPLE_FLEET });
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'test', '--root', dir)).code).toBe(0);
    expect((await cli('bump', 'zufi-manager', '1.7.0', '--env', 'test', '--root', dir)).code).toBe(0);
    await g.add('.');
    await g.commit('Test runs alfa 1.13.0 and zufi-manager 1.7.0');
    const run = await cli('promote', '--from', 'test', '--to', 'prod', '--branch', '--root', dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('Promote alfa 1.12.0 → 1.13.0, zufi-manager 1.6.0 → 1.7.0 from test to prod');
    expect((await g.raw(['symbolic-ref', '--short', 'HEAD'])).trim()).toBe('promote/test-to-prod/alfa-1.13.0_zufi-manager-1.7.0');
    expect(await changedFiles(dir)).toEqual([
      'dist/prod/argocd/main/applicationsets/prod-sh-1/alfa.yaml',
      'dist/prod/argocd/main/applicationsets/prod-sh-1/zufi-manager.yaml',
      'dist/prod/argocd/main/applicationsets/prod-sh-2/alfa.yaml',
      'dist/prod/argocd/main/applicationsets/prod-sh-2/zufi-manager.yaml',
      'environments/prod.yaml',
    ]);
    expect((await g.raw(['diff', '--numstat', 'HEAD~1', '--', 'environments'])).trim()).toBe('2\t2\tenvironments/prod.yaml');
  });

  it('refuses a version the source environment does not run', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'test', '--root', dir)).code).toBe(0);
    for (const wave of ['canary', 'early', 'main']) {
      expect((await cli('bump', 'alfa', '1.12.5', '--env', 'test', '--wave', wave, '--reason', 'held back', '--until', '2027-01-01', '--allow-downgrade', '--root', dir)).code).toBe(0);
    }
    const before = read(dir, 'environments/prod.yaml');
    const run = await cli('promote', '--from', 'test', '--to', 'prod', 'alfa', '--root', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('test does not run alfa 1.13.0 (it runs 1.12.5); only a version proven in test can be promoted');
    expect(read(dir, 'environments/prod.yaml')).toBe(before);
  });
});

describe('publish', () => {
  async function sourceRepo() {
    const repo = await gitRepo({ from: SAMPLE_FLEET });
    return repo;
  }

  it('commits dist/ into a deploy repository over git://, names the source commit, and makes no commit when nothing changed', async () => {
    const remote = await bareRemote();
    const url = `${await gitDaemon(path.dirname(remote.dir))}${path.basename(remote.dir)}`;
    const { dir, git: g } = await sourceRepo();
    const first = await cli('publish', '--to', url, '--root', dir);
    expect(first.code, first.stderr).toBe(0);
    const sourceHead = (await g.revparse(['HEAD'])).trim();
    expect(first.stdout).toMatch(new RegExp(`^published ${sourceHead.slice(0, 12)} to ${url} \\(main\\) as [0-9a-f]{12}$`));
    const deploy = git(remote.dir);
    expect((await deploy.raw(['log', '-1', '--format=%B', 'main'])).trim()).toBe(`Publish ${sourceHead.slice(0, 12)}: Initial fleet\n\nSource commit: ${sourceHead}\nGenerated by ozg-gitops.`);
    const files = (await deploy.raw(['ls-tree', '-r', '--name-only', 'main'])).trim().split('\n');
    expect(files).toContain('dist/prod/kommunen/sh-kiel/baseline.yaml');
    expect(files.every((f) => f.startsWith('dist/'))).toBe(true);
    const count = (await deploy.raw(['rev-list', '--count', 'main'])).trim();
    const again = await cli('publish', '--to', url, '--root', dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`${url} (main) already has this tree; nothing committed`);
    expect((await deploy.raw(['rev-list', '--count', 'main'])).trim()).toBe(count);
  });

  it('replaces exactly the generated folder under --path and leaves the rest of the deploy repository alone', async () => {
    const remote = await gitRepo({ bare: true });
    const seed = await gitRepo();
    write(seed.dir, 'README.md', 'deploy repo\n');
    await seed.git.add('.');
    await seed.git.commit('seed');
    await seed.git.addRemote('origin', remote.dir);
    await seed.git.push('origin', 'main');
    const { dir } = await sourceRepo();
    expect((await cli('publish', '--to', remote.dir, '--path', 'clusters/ozg', '--root', dir)).code).toBe(0);
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--root', dir, '--branch')).code).toBe(0);
    expect((await cli('publish', '--to', remote.dir, '--path', 'clusters/ozg', '--root', dir)).code).toBe(0);
    const changed = (await git(remote.dir).raw(['diff', '--name-only', 'main~1', 'main'])).trim().split('\n');
    expect(changed).toEqual(['clusters/ozg/prod/argocd/main/applicationsets/prod-sh-1/alfa.yaml', 'clusters/ozg/prod/argocd/main/applicationsets/prod-sh-2/alfa.yaml']);
    expect((await git(remote.dir).raw(['show', 'main:README.md']))).toBe('deploy repo\n');
  });

  it('refuses to publish a dist/ that is not what the inputs render to', async () => {
    const remote = await gitRepo({ bare: true });
    const { dir } = await sourceRepo();
    edit(dir, 'dist/prod/kommunen/sh-kiel/baseline.yaml', (t) => t.replace('restricted', 'privileged'));
    const run = await cli('publish', '--to', remote.dir, '--root', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dist/ is not what the inputs render to (1 files differ)');
    expect(existsSync(path.join(remote.dir, 'refs/heads/main'))).toBe(false);
  });

  it('two publishers racing never lose each other\'s commits (3 rounds)', async () => {
    const remote = await bareRemote();
    const url = `${await gitDaemon(path.dirname(remote.dir))}${path.basename(remote.dir)}`;
    const a = await sourceRepo();
    const b = await sourceRepo();
    expect((await cli('publish', '--to', url, '--root', a.dir)).code).toBe(0);
    const versions = ['1.13.0', '1.14.0', '1.15.0'];
    for (const [round, version] of versions.entries()) {
      // Two different changes, published at the same moment.
      expect((await cli('bump', 'alfa', version, '--env', 'prod', '--root', a.dir)).code).toBe(0);
      await a.git.add('.');
      await a.git.commit(`A round ${round}`);
      expect((await cli('bump', 'zufi-manager', `1.${7 + round}.0`, '--env', 'test', '--root', b.dir)).code).toBe(0);
      await b.git.add('.');
      await b.git.commit(`B round ${round}`);
      const before = Number((await git(remote.dir).raw(['rev-list', '--count', 'main'])).trim());
      const [ra, rb] = await Promise.all([cli('publish', '--to', url, '--root', a.dir), cli('publish', '--to', url, '--root', b.dir)]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      const log = (await git(remote.dir).raw(['log', '--format=%s', 'main'])).trim().split('\n');
      expect(Number((await git(remote.dir).raw(['rev-list', '--count', 'main'])).trim())).toBe(before + 2);
      expect(log.slice(0, 2).sort()).toEqual([`Publish ${(await a.git.revparse(['HEAD'])).trim().slice(0, 12)}: A round ${round}`, `Publish ${(await b.git.revparse(['HEAD'])).trim().slice(0, 12)}: B round ${round}`].sort());
      // The remote's history is linear: nobody's commit was replaced.
      expect((await git(remote.dir).raw(['rev-list', '--merges', '--count', 'main'])).trim()).toBe('0');
    }
    expect(readFileSync(path.join(remote.dir, 'HEAD'), 'utf8')).toContain('refs/heads/main');
  });

  it('a push rejected because another publisher was first is retried on top of their commit', async () => {
    const remote = await gitRepo({ bare: true });
    const a = await sourceRepo();
    const b = await sourceRepo();
    expect((await cli('publish', '--to', remote.dir, '--root', a.dir)).code).toBe(0);
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--root', a.dir)).code).toBe(0);
    await a.git.add('.');
    await a.git.commit('A');
    expect((await cli('bump', 'zufi-manager', '1.8.0', '--env', 'test', '--root', b.dir)).code).toBe(0);
    await b.git.add('.');
    await b.git.commit('B');
    const attempts: number[] = [];
    const result = await publishDist({
      root: a.dir,
      to: remote.dir,
      today: '2026-11-27',
      // B publishes between A's commit and A's first push, so A's push is rejected.
      beforePush: async (attempt) => {
        attempts.push(attempt);
        if (attempt === 1) expect((await cli('publish', '--to', remote.dir, '--root', b.dir)).code).toBe(0);
      },
    });
    expect(result.rejectedPushes).toBe(1);
    expect(attempts).toEqual([1, 2]);
    const log = (await git(remote.dir).raw(['log', '--format=%s', 'main'])).trim().split('\n');
    expect(log.slice(0, 2).map((s) => s.split(': ')[1])).toEqual(['A', 'B']);
    // B's commit stays in the history; the tree on top is A's rendering (its source is newer).
    expect(await git(remote.dir).raw(['grep', '-c', '1.13.0', 'main', '--', 'dist/prod/argocd/main/applicationsets/prod-sh-1/alfa.yaml'])).toMatch(/:[1-9]\d*\n?$/);
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, cli, edit, PROJECT_ROOT, SAMPLE_FLEET } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';
import { gitlabStub } from './helpers/gitlab-server.js';

const RUNNER = path.join(PROJECT_ROOT, 'node_modules/.bin/gitlab-ci-local');
// gitlab-ci-local copies the repository into its build folder with rsync.
const hasRsync = spawnSync('rsync', ['--version']).status === 0;
if (!hasRsync) console.warn('skipping the pipeline tests: gitlab-ci-local needs rsync (apt-get install rsync; .ci/run installs it)');
const CLI = `node ${CLI_BIN}`;
const MR = { projectId: '42', iid: '7', token: 'glpat-test-token' };

/**
 * Runs jobs of the project's real .gitlab-ci.yml with gitlab-ci-local, as a merge request
 * pipeline. No Docker here: --force-shell-executor runs the jobs on this machine's shell.
 */
async function pipeline(dir: string, jobs: string[], variables: Record<string, string>): Promise<{ code: number | null; log: string }> {
  const vars = { OZG_GITOPS: CLI, CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main', CI_PROJECT_ID: MR.projectId, CI_MERGE_REQUEST_IID: MR.iid, ...variables };
  const args = ['--force-shell-executor', '--ignore-predefined-vars', Object.keys(vars).join(','), ...Object.entries(vars).flatMap(([k, v]) => ['--variable', `${k}=${v}`]), ...jobs];
  // Asynchronous: the GitLab stand-in answers from this process while the jobs run.
  const child = spawn(RUNNER, args, { cwd: dir, env: { ...process.env, OZG_GITOPS_TODAY: '2026-11-27', FORCE_COLOR: '0' }, timeout: 240_000 });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, log };
}

async function fleetRepo() {
  const repo = await gitRepo({ from: SAMPLE_FLEET });
  copyFileSync(path.join(PROJECT_ROOT, '.gitlab-ci.yml'), path.join(repo.dir, '.gitlab-ci.yml'));
  await repo.git.add('.');
  await repo.git.commit('Pipeline');
  return repo;
}

describe.skipIf(!hasRsync)('the merge-request pipeline (.gitlab-ci.yml run by gitlab-ci-local)', () => {
  it('posts the plan as one note on the first push and updates that note on the second', async () => {
    expect(existsSync(RUNNER), 'gitlab-ci-local from npm ci').toBe(true);
    const gitlab = await gitlabStub(MR);
    const { dir, git } = await fleetRepo();
    const base = (await git.revparse(['HEAD'])).trim();
    const env = { CI_API_V4_URL: gitlab.apiUrl, CI_MERGE_REQUEST_DIFF_BASE_SHA: base, OZG_GITOPS_GITLAB_TOKEN: MR.token };

    expect((await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir)).code).toBe(0);
    await git.add('.');
    await git.commit('Bump vorgang-manager');
    const first = await pipeline(dir, ['validate', 'plan'], env);
    expect(first.code, first.log).toBe(0);
    expect(first.log).toContain('PASS  validate');
    expect(first.log).toContain('PASS  plan');
    const mine = () => gitlab.notes.filter((n) => n.body.startsWith('<!-- ozg-gitops:plan -->'));
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.body).toContain('vorgang-manager 2.14.1 → 2.15.0');
    expect(first.log).toMatch(/plan note created on merge request !7 \(note 500\)/);

    // A second push to the same merge request.
    expect((await cli('bump', 'alfa', '1.13.0', '--env', 'prod', '--root', dir)).code).toBe(0);
    await git.add('.');
    await git.commit('Bump alfa too');
    const second = await pipeline(dir, ['plan'], env);
    expect(second.code, second.log).toBe(0);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.id).toBe(500);
    expect(mine()[0]!.body).toContain('alfa 1.12.0 → 1.13.0');
    expect(second.log).toMatch(/plan note updated on merge request !7 \(note 500\)/);
    expect(gitlab.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(gitlab.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    // The people's notes were left alone.
    expect(gitlab.notes.find((n) => n.id === 100)!.body).toBe('Looks good to me, waiting for the plan.');
  }, 300_000);

  it('without a token the plan job says so, shows the plan in its log and passes', async () => {
    const gitlab = await gitlabStub(MR);
    const { dir, git } = await fleetRepo();
    const base = (await git.revparse(['HEAD'])).trim();
    expect((await cli('bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--root', dir)).code).toBe(0);
    await git.add('.');
    await git.commit('Bump');
    const run = await pipeline(dir, ['plan'], { CI_API_V4_URL: gitlab.apiUrl, CI_MERGE_REQUEST_DIFF_BASE_SHA: base });
    expect(run.code, run.log).toBe(0);
    expect(run.log).toContain('the CI/CD variable OZG_GITOPS_GITLAB_TOKEN is not set');
    expect(run.log).toContain('vorgang-manager 2.14.1 → 2.15.0');
    expect(gitlab.requests).toEqual([]);
  }, 300_000);

  it('on the default branch publishes dist/ to the deploy repository when one is configured', async () => {
    const { dir } = await fleetRepo();
    const deploy = await gitRepo({ bare: true });
    const push = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_DEFAULT_BRANCH: 'main' };
    const run = await pipeline(dir, ['publish'], { ...push, OZG_DEPLOY_REPOSITORY: deploy.dir });
    expect(run.code, run.log).toBe(0);
    expect(run.log).toMatch(/published [0-9a-f]{12} to \S+ \(main\) as [0-9a-f]{12}/);
    const files = (await deploy.git.raw(['ls-tree', '-r', '--name-only', 'main'])).trim().split('\n');
    expect(files).toContain('dist/prod/kommunen/sh-kiel/baseline.yaml');
    // Without a deploy repository the job does not run at all.
    const none = await pipeline(dir, ['publish'], push);
    expect(none.log).not.toContain('published');
  }, 300_000);

  it('fails validate when dist/ was not regenerated, naming the files and the command', async () => {
    const { dir, git } = await fleetRepo();
    const base = (await git.revparse(['HEAD'])).trim();
    edit(dir, 'environments/prod.yaml', (t) => t.replace(/(depName=alfa\n    version: )1\.12\.0/, '$11.13.0'));
    await git.add('.');
    await git.commit('Bump without generate');
    const run = await pipeline(dir, ['validate'], { CI_API_V4_URL: 'http://127.0.0.1:9/api/v4', CI_MERGE_REQUEST_DIFF_BASE_SHA: base });
    expect(run.code).not.toBe(0);
    expect(run.log).toContain('FAIL  validate');
    expect(run.log).toContain('differs: dist/prod/argocd/main/applicationsets/prod-sh-1/alfa.yaml');
    expect(run.log).toContain("run 'npx ozg-gitops generate', commit dist/ and argocd/, and push");
  }, 300_000);
});

import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationList, argoStub, closeStub } from './helpers/argocd-server.js';
import { CLI_BIN, PROJECT_ROOT, read, SAMPLE_FLEET } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';

/**
 * The command as it is installed (package.json's bin: the bundle `npm run build` makes, split into
 * chunks at its dynamic imports) runs every command, each loading its own chunks, as a process.
 * The other tests run the TypeScript sources in process; this one proves the bundle is whole.
 */
function installed(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, OZG_GITOPS_TODAY: '2026-11-27', ARGOCD_AUTH_TOKEN: 'test-token' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** package.json's bin before the command was bundled: npx caches keep linking to it (cli/bundle.ts). */
const EARLIER_BIN = path.join(PROJECT_ROOT, 'build/generator/cli/main.js');

/** Started the way npx and a shell start a bin: the file itself, by its shebang and executable bit. */
function executed(file: string, ...args: string[]): { status: number | null; stdout: string; stderr: string; error?: Error } {
  return spawnSync(file, args, { encoding: 'utf8' });
}

describe('the installed command', () => {
  it('starts as an executable from package.json\'s bin and from the bin npx caches of earlier checkouts link to', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    for (const bin of [CLI_BIN, EARLIER_BIN]) {
      const version = executed(bin, '--version');
      expect(version.error, bin).toBeUndefined();
      expect(version.status, `${bin}: ${version.stderr}`).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
      const validate = executed(bin, 'validate', '--root', dir);
      expect(validate.status, `${bin}: ${validate.stderr}`).toBe(0);
      expect(validate.stdout).toMatch(/^ok: 22 Kommunen in 3 environments/m);
    }
  });

  it('runs each command from its bundle: changes on branches, onboarding, the report and status', { timeout: 120_000 }, async () => {
    const { dir, git } = await gitRepo({ from: SAMPLE_FLEET });
    const ok = async (...args: string[]) => {
      const run = await installed(...args, '--root', dir);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      return run.stdout;
    };
    expect((await installed('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await ok('validate')).toMatch(/^ok: 22 Kommunen in 3 environments/m);
    expect(await ok('generate', '--check')).toMatch(/^ok: \d+ files match the inputs$/m);

    await ok('bump', 'vorgang-manager', '2.15.0', '--env', 'test', '--branch');
    expect(read(dir, 'environments/test.yaml')).toMatch(/version: 2\.15\.0/);
    expect((await git.raw(['log', '-1', '--format=%B'])).trim()).toMatch(/vorgang-manager 2\.14\.1 → 2\.15\.0/);
    await git.raw(['checkout', '-q', '-b', 'work']);
    await ok('promote', '--from', 'test', '--to', 'prod', '--branch');
    expect(read(dir, 'environments/prod.yaml')).toMatch(/version: 2\.15\.0/);
    await ok('halt', '--env', 'prod', '--reason', 'smoke', '--branch');
    await ok('resume', '--env', 'prod', '--branch');
    const rollback = await ok('rollback', 'vorgang-manager', '--env', 'prod', '--branch');
    expect(rollback).toMatch(/2\.14\.1/);
    expect(await ok('plan', '--base', 'main', '--format', 'markdown')).toMatch(/^## prod: /m);

    await git.raw(['checkout', '-q', 'main']);
    await ok('tenant', 'add', '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod');
    writeFileSync(path.join(dir, 'kommunen.csv'), 'ags;name\n01056002;Gemeinde Barmstedt\n');
    await ok('tenant', 'import', path.join(dir, 'kommunen.csv'), '--env', 'test');
    expect(await ok('generate')).toMatch(/^generated: [1-9]\d* written, 0 removed/m);
    expect(await ok('generate', '--check')).toMatch(/^ok: /m);
    expect(await ok('report')).not.toBe('');

    const stub = await argoStub((_, res) => res.end(applicationList([])));
    try {
      const status = await installed('status', '--env', 'prod', '--root', dir, '--server', stub.url);
      // No Application deployed yet: the rollout is not done (exit 3), said from status's own chunk.
      expect(status.code, status.stderr).toBe(3);
      expect(status.stdout.split('\n')[0]).toMatch(/^prod: /);
      expect(status.stderr).toBe('');
    } finally {
      await closeStub(stub);
    }
  });
});

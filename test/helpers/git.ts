import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterAll } from 'vitest';
import { tempDir } from './fleet.js';

/** Environment for every git call in tests: an empty HOME (no user config), fixed identity and dates. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@ozg-cloud.example',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@ozg-cloud.example',
  GIT_AUTHOR_DATE: '2026-11-27T12:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-27T12:00:00Z',
} as const;

const EMPTY_HOME = mkdtempSync(path.join(tmpdir(), 'ozg-home-'));
afterAll(() => rmSync(EMPTY_HOME, { recursive: true, force: true }));

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, allowEnvironment: Object.keys(GIT_ENV) }).env({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: EMPTY_HOME, ...GIT_ENV });
}

/** A repository on branch main with fixed identity and no signing, optionally holding a copy of `from`'s inputs. */
export async function gitRepo(options: { from?: string; bare?: boolean } = {}): Promise<{ dir: string; git: SimpleGit }> {
  const dir = tempDir('ozg-git-');
  const g = git(dir);
  await g.init(options.bare ?? false, ['--initial-branch=main', '--quiet']);
  if (options.bare) return { dir, git: g };
  await g.addConfig('user.name', GIT_ENV.GIT_AUTHOR_NAME);
  await g.addConfig('user.email', GIT_ENV.GIT_AUTHOR_EMAIL);
  await g.addConfig('commit.gpgsign', 'false');
  if (options.from) {
    for (const folder of ['environments', 'tenants', 'dist', 'argocd', 'schemas']) {
      try {
        cpSync(path.join(options.from, folder), path.join(dir, folder), { recursive: true });
      } catch {
        // not every fixture has rendered trees
      }
    }
    await g.add('.');
    await g.commit('Initial fleet');
  }
  return { dir, git: g };
}

import { load } from 'js-yaml';
import { UserError } from '../diagnostics.js';
import { setAppVersion } from '../edit/environment-file.js';
import { openRepo } from '../git/repo.js';
import type { VersionException } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import { applyInputChange, type ChangeResult } from './apply-change.js';
import { readEnvironmentInput, requireApp } from './environment-input.js';

export interface RollbackOptions {
  readonly root: string;
  readonly app: string;
  readonly env: string;
  readonly branch?: boolean;
  readonly push?: string;
  readonly today: string;
}

export interface RollbackResult extends ChangeResult {
  readonly title: string;
  readonly branch?: string;
  readonly from: string;
  readonly to: string;
  /** The commit whose environment file had `to`, the version before the last bump. */
  readonly foundIn: string;
  /** Exceptions that still name the version rolled back from: they keep running it until removed. */
  readonly exceptionsOnBadVersion: readonly VersionException[];
}

/**
 * Returns an app to the version it ran before its last bump: walks the Git history of the
 * environment file back from HEAD to the newest commit whose pin differs from the current one,
 * and pins that version again, as a merge request like `bump`.
 */
export async function rollbackApp(o: RollbackOptions): Promise<RollbackResult> {
  const input = await readEnvironmentInput(o.root, o.env);
  const { file, source, doc } = input;
  requireApp(input, o.env, o.app);
  const current = doc.apps[o.app]!.version;
  const git = openRepo(o.root);
  const prefix = (await git.revparse(['--show-prefix']).catch(() => {
    throw new UserError(`${o.root} is not inside a git repository`, 1, [], 'E_NOT_A_REPO');
  })).trim();
  const commits = (await git.raw(['log', '--format=%H', 'HEAD', '--', `${prefix}${file}`])).split('\n').filter(Boolean);
  let previous: { version: string; commit: string } | undefined;
  for (const commit of commits) {
    const text = await git.show([`${commit}:${prefix}${file}`]);
    const version = (load(text) as EnvironmentDoc).apps?.[o.app]?.version;
    if (version && version !== current) {
      previous = { version, commit };
      break;
    }
  }
  if (!previous) throw new UserError(`the history of ${file} has no version of ${o.app} other than ${current}; nothing to roll back to`, 1, [], 'E_NO_PREVIOUS_VERSION');
  const title = `Roll back ${o.app} ${current} → ${previous.version} in ${o.env}`;
  const branch = o.branch || o.push ? `rollback/${o.env}/${o.app}-${previous.version}` : undefined;
  const result = await applyInputChange({
    root: o.root,
    edits: new Map([[file, setAppVersion(source, file, o.app, previous.version)]]),
    branch,
    push: o.push,
    title,
    labels: ['ozg-gitops', 'rollback', `env::${o.env}`],
    today: o.today,
  });
  const exceptionsOnBadVersion = (doc.exceptions ?? []).filter((x) => x.app === o.app && x.version === current);
  return { ...result, title, branch, from: current, to: previous.version, foundIn: previous.commit, exceptionsOnBadVersion };
}

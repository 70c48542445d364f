import path from 'node:path';
import type { Command } from 'commander';
import type { ChangeResult } from '../change/apply-change.js';
import { today } from '../clock.js';
import { EXIT, type Io } from './io.js';
import { branchName, date, existingDir, integer, name, nameList, repoFolder, requireEnvironments, text, version } from './options.js';

/** What a change did: its title, its files, its commit and merge request. */
export function reportChange(io: Io, title: string, result: ChangeResult & { branch?: string }): number {
  io.out(title);
  for (const file of result.files) io.out(`  changed ${file}`);
  if (result.commit) io.out(`committed ${result.commit} on ${result.branch}`);
  if (result.push) {
    if (result.push.mergeRequestUrl) io.out(`merge request: ${result.push.mergeRequestUrl}`);
    else io.out('pushed; the server named no merge request');
  }
  return EXIT.ok;
}

export function registerChanges(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('bump')
    .description('change one version pin (or add a governed exception), re-render dist/, optionally as a branch and merge request')
    .argument('<app>', 'app from the catalogue', name('an app name', 'vorgang-manager'))
    .argument('<version>', 'semantic version, e.g. 2.15.0', version)
    .requiredOption('--env <env>', 'environment to change', name('an environment name', 'prod'))
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--wave <wave>', 'only this wave (an exception: needs --reason and --until)', name('a wave name', 'canary'))
    .option('--tenant <id>', 'only this Kommune (an exception: needs --reason and --until)', name('a Kommune id', 'sh-kiel'))
    .option('--reason <text>', 'why the exception exists', text)
    .option('--until <date>', 'when the exception expires (YYYY-MM-DD)', date)
    .option('--allow-downgrade', 'allow a lower version than the current one')
    .option('--branch', 'commit on a new branch bump/<env>/<app>-<version>')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text)
    .action((app: string, version: string, opts: { env: string; root: string; wave?: string; tenant?: string; reason?: string; until?: string; allowDowngrade?: boolean; branch?: boolean; push?: string }) =>
      run(
        (async () => {
          requireEnvironments(path.resolve(opts.root), '--env', [opts.env]);
          const { bumpVersion } = await import('../change/bump.js');
          const result = await bumpVersion({ ...opts, root: path.resolve(opts.root), app, version, today: today() });
          return reportChange(io, result.title, result);
        })(),
      ),
    );

  program
    .command('promote')
    .description('copy version pins from one environment to the next as one change')
    .argument('[apps...]', 'apps to promote (default: all)', nameList('app'))
    .requiredOption('--from <env>', 'source environment, e.g. test', name('an environment name', 'test'))
    .requiredOption('--to <env>', 'target environment, e.g. prod', name('an environment name', 'prod'))
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--allow-downgrade', 'allow a lower version than the target runs')
    .option('--branch', 'commit on a new branch promote/<from>-to-<to>/...')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text)
    .action((apps: string[], opts: { from: string; to: string; root: string; allowDowngrade?: boolean; branch?: boolean; push?: string }) =>
      run(
        (async () => {
          requireEnvironments(path.resolve(opts.root), '--from/--to', [opts.from, opts.to]);
          const { promoteVersions } = await import('../change/promote.js');
          const result = await promoteVersions({ ...opts, root: path.resolve(opts.root), apps, today: today() });
          return reportChange(io, result.title, result);
        })(),
      ),
    );

  program
    .command('rollback')
    .description('return an app to the version it ran before its last bump (from the Git history of the environment file), as a change like bump')
    .argument('<app>', 'app from the catalogue', name('an app name', 'vorgang-manager'))
    .requiredOption('--env <env>', 'environment', name('an environment name', 'prod'))
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--branch', 'commit on a new branch rollback/<env>/<app>-<version>')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text)
    .action((app: string, opts: { env: string; root: string; branch?: boolean; push?: string }) =>
      run(
        (async () => {
          requireEnvironments(path.resolve(opts.root), '--env', [opts.env]);
          const { rollbackApp } = await import('../change/rollback.js');
          const result = await rollbackApp({ ...opts, app, root: path.resolve(opts.root), today: today() });
          const code = reportChange(io, `${result.title} (the version before its last bump, found in ${result.foundIn.slice(0, 12)})`, result);
          for (const x of result.exceptionsOnBadVersion) {
            io.out(`still on ${x.version}: the exception for ${x.wave ? `wave ${x.wave}` : `Kommune ${x.tenant}`} until ${x.until} (${x.reason}); remove it to roll those back too`);
          }
          return code;
        })(),
      ),
    );

  program
    .command('halt')
    .description('emergency stop: one line in the environment file renders maxUpdate 0 on every RollingSync step, so Argo CD updates no further Application')
    .requiredOption('--env <env>', 'environment to stop', name('an environment name', 'prod'))
    .option('--app <apps...>', 'only these apps (baseline for the baselines); default: every ApplicationSet', nameList('app'))
    .requiredOption('--reason <text>', 'why the rollout stops (shown by validate, plan and status)', text)
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--branch', 'commit on a new branch halt/<env>')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text)
    .action((opts: { env: string; app?: string[]; reason: string; root: string; branch?: boolean; push?: string }) =>
      run(
        (async () => {
          requireEnvironments(path.resolve(opts.root), '--env', [opts.env]);
          const { haltRollout } = await import('../change/halt.js');
          const result = await haltRollout({ ...opts, apps: opts.app, root: path.resolve(opts.root), today: today() });
          return reportChange(io, result.title, result);
        })(),
      ),
    );

  program
    .command('resume')
    .description('undo halt: removes the line halt added, byte for byte')
    .requiredOption('--env <env>', 'environment to resume', name('an environment name', 'prod'))
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--branch', 'commit on a new branch resume/<env>')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text)
    .action((opts: { env: string; root: string; branch?: boolean; push?: string }) =>
      run(
        (async () => {
          requireEnvironments(path.resolve(opts.root), '--env', [opts.env]);
          const { resumeRollout } = await import('../change/halt.js');
          const result = await resumeRollout({ ...opts, root: path.resolve(opts.root), today: today() });
          return reportChange(io, result.title, result);
        })(),
      ),
    );

  program
    .command('publish')
    .description('commit dist/ into a separate deploy repository and push it, retrying when another publisher was first')
    .requiredOption('--to <url-or-path>', 'the deploy repository', text)
    .option('--root <dir>', 'folder holding environments/, tenants/ and dist/', existingDir, '.')
    .option('--branch <branch>', 'branch of the deploy repository', branchName, 'main')
    .option('--path <prefix>', 'folder of the generated tree in the deploy repository', repoFolder, 'dist')
    .option('--retries <n>', 'attempts after a rejected push', integer(0, 100), 5)
    .action((opts: { to: string; root: string; branch: string; path: string; retries: number }) =>
      run(
        (async () => {
          const { publishDist } = await import('../git/publish.js');
          const result = await publishDist({ ...opts, root: path.resolve(opts.root), today: today() });
          if (result.commit) io.out(`published ${result.sourceCommit.slice(0, 12)} to ${opts.to} (${opts.branch}) as ${result.commit.slice(0, 12)}${result.rejectedPushes ? ` after ${result.rejectedPushes} rejected push(es)` : ''}`);
          else io.out(`${opts.to} (${opts.branch}) already has this tree; nothing committed`);
          return EXIT.ok;
        })(),
      ),
    );
}

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UserError } from '../diagnostics.js';
import { EXIT, type Io } from './io.js';
import { inputFile, variableName } from './options.js';

export interface NoteCliOptions {
  readonly file: string;
  readonly tokenEnv: string;
}

/** The variable that holds the GitLab token for merge-request notes (a masked CI/CD variable). */
export const DEFAULT_TOKEN_ENV = 'OZG_GITOPS_GITLAB_TOKEN';

/**
 * Posts (or updates) the plan note of the merge request this pipeline runs for. Without a token
 * the job says so and succeeds: the plan is in the job log either way.
 */
export async function runMergeRequestNote(o: NoteCliOptions, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const body = await readFile(o.file, 'utf8');
  if (env.CI_PIPELINE_SOURCE !== 'merge_request_event') {
    io.err(`not a merge request pipeline (CI_PIPELINE_SOURCE=${env.CI_PIPELINE_SOURCE ?? ''}); no note posted`);
    return EXIT.ok;
  }
  const token = env[o.tokenEnv];
  if (!token) {
    io.err(`the CI/CD variable ${o.tokenEnv} is not set: the plan is only in this job's log, not on the merge request (set ${o.tokenEnv} to a project access token with the api scope, masked)`);
    return EXIT.ok;
  }
  const missing = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID'].filter((v) => !env[v]);
  if (missing.length) throw new UserError(`GitLab did not set ${missing.join(', ')}; run this in a merge request pipeline`, 2, [], 'E_USAGE');
  const { upsertMergeRequestNote } = await import('../git/merge-request-note.js');
  const result = await upsertMergeRequestNote({ apiUrl: env.CI_API_V4_URL!, projectId: env.CI_PROJECT_ID!, mergeRequestIid: env.CI_MERGE_REQUEST_IID!, token, body });
  io.out(`plan note ${result.action} on merge request !${env.CI_MERGE_REQUEST_IID} (note ${result.noteId})`);
  return EXIT.ok;
}

export function registerMergeRequest(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('mr-note')
    .description('post a file (the plan) as one note on the merge request of this GitLab pipeline, updated in place on every push')
    .argument('<file>', 'Markdown to post, e.g. the output of plan --format markdown', inputFile)
    .option('--token-env <name>', `variable holding the GitLab token (default ${DEFAULT_TOKEN_ENV})`, variableName, DEFAULT_TOKEN_ENV)
    .action((file: string, opts: { tokenEnv: string }) => run(runMergeRequestNote({ file, tokenEnv: opts.tokenEnv }, io)));
}

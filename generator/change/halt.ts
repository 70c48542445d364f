import { UserError } from '../diagnostics.js';
import { addHalt, removeHalt } from '../edit/environment-file.js';
import { applyInputChange, type ChangeResult } from './apply-change.js';
import { readEnvironmentInput, requireApp } from './environment-input.js';

export interface HaltOptions {
  readonly root: string;
  readonly env: string;
  /** Only these apps (`baseline` for the baselines); all when empty. */
  readonly apps?: readonly string[];
  readonly reason?: string;
  readonly branch?: boolean;
  readonly push?: string;
  readonly today: string;
}

export interface HaltResult extends ChangeResult {
  readonly title: string;
  readonly branch?: string;
}

/**
 * The emergency stop: one line in the environment file (`rollout.halted`) that renders maxUpdate 0
 * on every RollingSync step of the affected ApplicationSets, so Argo CD updates no further
 * Application. A merge request like a bump; `resumeRollout` removes the line again.
 */
export async function haltRollout(o: HaltOptions): Promise<HaltResult> {
  if (!o.reason?.trim()) throw new UserError('halt needs --reason: say why the rollout stops', 2, [], 'E_USAGE');
  const input = await readEnvironmentInput(o.root, o.env);
  const { file, source } = input;
  for (const app of o.apps ?? []) requireApp(input, o.env, app, ['baseline']);
  const apps = o.apps?.length ? [...o.apps].sort() : undefined;
  const title = `Halt the rollout in ${o.env}${apps ? ` (${apps.join(', ')})` : ''}: ${o.reason}`;
  const branch = o.branch || o.push ? `halt/${o.env}${apps ? `-${apps.join('-')}` : ''}` : undefined;
  const result = await applyInputChange({ root: o.root, edits: new Map([[file, addHalt(source, file, o.reason, apps)]]), branch, push: o.push, title, labels: ['ozg-gitops', 'halt', `env::${o.env}`], today: o.today });
  return { ...result, title, branch };
}

export async function resumeRollout(o: Omit<HaltOptions, 'apps' | 'reason'>): Promise<HaltResult> {
  const { file, source, doc } = await readEnvironmentInput(o.root, o.env);
  const halted = doc.rollout?.halted;
  const title = `Resume the rollout in ${o.env}${halted?.apps ? ` (${halted.apps.join(', ')})` : ''}`;
  const branch = o.branch || o.push ? `resume/${o.env}` : undefined;
  const result = await applyInputChange({ root: o.root, edits: new Map([[file, removeHalt(source, file)]]), branch, push: o.push, title, labels: ['ozg-gitops', 'resume', `env::${o.env}`], today: o.today });
  return { ...result, title, branch };
}

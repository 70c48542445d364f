import { hasErrors, UserError } from '../diagnostics.js';
import { newTenantFiles, type OnboardCandidate, type OnboardOptions } from '../onboard/onboard.js';
import { applyInputChange, type ChangeResult } from './apply-change.js';

export interface OnboardChangeOptions extends OnboardOptions {
  /** Create the branch onboard/<id> (onboard/<id>-and-<n>-more for several) and commit there. */
  readonly branch?: boolean;
  /** Push the branch with merge-request push options (implies a branch). */
  readonly push?: string;
}

export interface OnboardChangeResult extends ChangeResult {
  readonly title: string;
  readonly branch?: string;
}

/**
 * Onboards Kommunen as one reviewable change, as a bump changes a pin: their files, checked with
 * the fleet, and their rendered output in one commit on a new branch, the plan in its message.
 * One command and one run where `tenant add` and `generate` are two.
 */
export async function onboardAsChange(candidates: readonly OnboardCandidate[], options: OnboardChangeOptions): Promise<OnboardChangeResult> {
  const planned = await newTenantFiles(candidates, options);
  if (hasErrors(planned.diagnostics)) throw new UserError('the Kommunen do not validate with the fleet; nothing was written', 1, planned.diagnostics, 'E_INVALID_CHANGE');
  const [first, ...more] = planned.tenants;
  const title = more.length === 0 ? `Onboard ${first!.name} (${first!.id})` : `Onboard ${planned.tenants.length} Kommunen: ${first!.name} and ${more.length} more`;
  const branch = options.branch || options.push ? `onboard/${first!.id}${more.length ? `-and-${more.length}-more` : ''}` : undefined;
  const result = await applyInputChange({
    root: options.root,
    edits: planned.files,
    branch,
    push: options.push,
    title,
    labels: ['ozg-gitops', 'onboard', ...options.environments.map((env) => `env::${env}`)],
    today: options.today,
  });
  return { ...result, title, branch };
}

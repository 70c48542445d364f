import semver from 'semver';
import { UserError } from '../diagnostics.js';
import { setAppVersion, upsertException } from '../edit/environment-file.js';
import { applyInputChange, type ChangeResult } from './apply-change.js';
import { readEnvironmentInput, requireApp } from './environment-input.js';

export interface BumpOptions {
  readonly root: string;
  readonly app: string;
  readonly version: string;
  readonly env: string;
  /** A version for one wave only (governed exception). */
  readonly wave?: string;
  /** A version for one Kommune only (governed exception). */
  readonly tenant?: string;
  readonly reason?: string;
  readonly until?: string;
  readonly allowDowngrade?: boolean;
  readonly branch?: boolean;
  readonly push?: string;
  readonly today: string;
}

export interface BumpResult extends ChangeResult {
  readonly from: string;
  readonly to: string;
  readonly branch?: string;
  readonly title: string;
}

export function bumpBranchName(o: Pick<BumpOptions, 'env' | 'app' | 'version' | 'wave' | 'tenant'>): string {
  return `bump/${o.env}/${o.app}-${o.version}${o.wave ? `-${o.wave}` : o.tenant ? `-${o.tenant}` : ''}`;
}

/** Changes one version pin (or adds a governed exception) and re-renders, as one change. */
export async function bumpVersion(o: BumpOptions): Promise<BumpResult> {
  if (!semver.valid(o.version)) throw new UserError(`${o.version} is not a semantic version such as 2.15.0`, 2, [], 'E_USAGE');
  if (o.wave && o.tenant) throw new UserError('--wave and --tenant exclude each other', 2, [], 'E_USAGE');
  const exception = o.wave !== undefined || o.tenant !== undefined;
  if (exception && (!o.reason || !o.until)) throw new UserError('a version for one wave or Kommune is an exception: --reason and --until are required', 2, [], 'E_USAGE');
  if (o.until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.until)) throw new UserError(`--until ${o.until} is not a date in the form YYYY-MM-DD`, 2, [], 'E_USAGE');
  if (o.until !== undefined && o.until < o.today) throw new UserError(`--until ${o.until} is in the past`, 1, [], 'E_EXPIRY_PAST');

  const input = await readEnvironmentInput(o.root, o.env);
  const { file, source, doc } = input;
  requireApp(input, o.env, o.app);
  const pin = doc.apps[o.app]!;
  const current = (doc.exceptions ?? []).find((x) => x.app === o.app && x.wave === o.wave && x.tenant === o.tenant && exception)?.version ?? pin.version;
  if (semver.eq(o.version, current)) throw new UserError(`${o.app} is already at ${o.version} in ${o.env}`, 1, [], 'E_NOTHING_TO_DO');
  if (semver.lt(o.version, current) && !o.allowDowngrade) {
    throw new UserError(`${o.version} is lower than ${o.app}'s current ${current} in ${o.env}; pass --allow-downgrade to roll back on purpose`, 1, [], 'E_DOWNGRADE');
  }
  const edited = exception
    ? upsertException(source, file, { app: o.app, version: o.version, wave: o.wave, tenant: o.tenant, reason: o.reason!, until: o.until! })
    : setAppVersion(source, file, o.app, o.version);
  const scope = o.wave ? ` (wave ${o.wave})` : o.tenant ? ` (Kommune ${o.tenant})` : '';
  const title = `Bump ${o.app} ${current} → ${o.version} in ${o.env}${scope}`;
  const branch = o.branch || o.push ? bumpBranchName(o) : undefined;
  const result = await applyInputChange({
    root: o.root,
    edits: new Map([[file, edited]]),
    branch,
    push: o.push,
    title,
    labels: ['ozg-gitops', 'bump', `env::${o.env}`],
    today: o.today,
  });
  return { ...result, from: current, to: o.version, branch, title };
}

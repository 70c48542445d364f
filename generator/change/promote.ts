import { readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { UserError } from '../diagnostics.js';
import { setAppVersion } from '../edit/environment-file.js';
import { indexedDirectorySource } from '../load/input-source.js';
import { ParseCache } from '../load/parse-cache.js';
import { loadFleet } from '../pipeline.js';
import { applyInputChange, type ChangeResult } from './apply-change.js';

export interface PromoteOptions {
  readonly root: string;
  readonly from: string;
  readonly to: string;
  /** Apps to promote; all apps of the target catalogue when empty. */
  readonly apps: readonly string[];
  readonly allowDowngrade?: boolean;
  readonly branch?: boolean;
  readonly push?: string;
  readonly today: string;
}

export interface PromoteResult extends ChangeResult {
  readonly promoted: readonly { app: string; from: string; to: string }[];
  readonly branch?: string;
  readonly title: string;
}

/**
 * Copies version pins from one environment to the next as one change. A version is promoted only
 * if the source environment runs it: at least one Kommune there has it as its effective version.
 */
export async function promoteVersions(o: PromoteOptions): Promise<PromoteResult> {
  const cache = ParseCache.forRoot(o.root, o.root);
  const { fleet, diagnostics } = await loadFleet(indexedDirectorySource(o.root), o.today, cache);
  cache.save();
  if (!fleet) throw new UserError('the inputs do not validate; fix them before promoting', 1, diagnostics, 'E_INVALID_INPUTS');
  const source = fleet.environments.find((e) => e.name === o.from);
  const target = fleet.environments.find((e) => e.name === o.to);
  if (!source) throw new UserError(`there is no environment ${o.from}`, 1, [], 'E_UNKNOWN_ENV');
  if (!target) throw new UserError(`there is no environment ${o.to}`, 1, [], 'E_UNKNOWN_ENV');
  const apps = o.apps.length ? [...o.apps] : Object.keys(target.doc.apps).sort();
  const file = `environments/${o.to}.yaml`;
  let text = await readFile(path.join(o.root, file), 'utf8');
  const promoted: { app: string; from: string; to: string }[] = [];
  for (const app of apps) {
    const pin = source.doc.apps[app];
    const current = target.doc.apps[app];
    if (!pin) throw new UserError(`${app} is not in the catalogue of ${o.from}`, 1, [], 'E_UNKNOWN_APP');
    if (!current) throw new UserError(`${app} is not in the catalogue of ${o.to}`, 1, [], 'E_UNKNOWN_APP');
    const running = new Set(source.kommunen.flatMap((k) => k.apps.filter((a) => a.name === app).map((a) => a.version)));
    if (!running.has(pin.version)) {
      throw new UserError(`${o.from} does not run ${app} ${pin.version}${running.size ? ` (it runs ${[...running].sort().join(', ')})` : ' (no Kommune there has the app)'}; only a version proven in ${o.from} can be promoted`, 1, [], 'E_NOT_RUNNING');
    }
    if (semver.eq(pin.version, current.version)) continue;
    if (semver.lt(pin.version, current.version) && !o.allowDowngrade) {
      throw new UserError(`${app} ${pin.version} in ${o.from} is lower than ${current.version} in ${o.to}; pass --allow-downgrade to roll back on purpose`, 1, [], 'E_DOWNGRADE');
    }
    text = setAppVersion(text, file, app, pin.version);
    promoted.push({ app, from: current.version, to: pin.version });
  }
  if (promoted.length === 0) throw new UserError(`${o.to} already runs what ${o.from} runs for ${apps.join(', ')}`, 1, [], 'E_NOTHING_TO_DO');
  const title = `Promote ${promoted.map((p) => `${p.app} ${p.from} → ${p.to}`).join(', ')} from ${o.from} to ${o.to}`;
  const branch = o.branch || o.push ? `promote/${o.from}-to-${o.to}/${promoted.map((p) => `${p.app}-${p.to}`).join('_')}`.slice(0, 200) : undefined;
  const result = await applyInputChange({ root: o.root, edits: new Map([[file, text]]), branch, push: o.push, title, labels: ['ozg-gitops', 'promote', `env::${o.to}`], today: o.today });
  return { ...result, promoted, branch, title };
}

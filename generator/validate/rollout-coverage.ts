import type { Diagnostic } from '../diagnostics.js';
import { positionOf } from '../load/yaml-file.js';
import { appSetKey, membersByCluster } from '../model/canaries.js';
import { canaryChoice, isProduction } from '../model/resolve.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import type { ShapedFile } from './cross-file.js';

/** Names listed in a hint before "and n more". */
const SHOWN = 5;

/**
 * Every ApplicationSet (cluster × app, and the baselines) rolls out on its own: one whose first
 * wave is empty has no canary, and a bad release reaches its second wave first. Reported per
 * ApplicationSet with the fix; an error in production, a warning elsewhere. Run on valid inputs.
 */
export function checkRolloutCoverage(environments: readonly ShapedFile<EnvironmentDoc>[], tenants: readonly ShapedFile<TenantDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const env of environments) {
    const e = env.doc;
    if (e.rollout.halted) {
      const pos = positionOf(env.yaml, ['rollout', 'halted'], true);
      const what = e.rollout.halted.apps ? `the ApplicationSets of ${e.rollout.halted.apps.join(', ')}` : 'every ApplicationSet';
      out.push({ code: 'W_HALTED', severity: 'warning', message: `the rollout in ${e.name} is HALTED: ${e.rollout.halted.reason}; Argo CD updates no Application of ${what}`, file: env.yaml.file, line: pos.line, col: pos.col, hint: `ozg-gitops resume --env ${e.name} --push origin lifts it` });
    }
    const first = e.rollout.waves[0]!.name;
    const { candidates, chosen } = canaryChoice(e, tenants.filter(({ doc: t }) => t.environments.includes(e.name)).map(({ doc }) => doc));
    // The ApplicationSets without a Kommune in the first wave, with their Kommunen.
    const empty: { key: string; cluster: string; app: string; names: string[] }[] = [];
    for (const [cluster, apps] of membersByCluster(candidates)) {
      for (const [app, list] of apps) {
        const key = appSetKey(cluster, app);
        if (list.some((k) => k.wave === first || chosen.get(k.id)?.has(key))) continue;
        empty.push({ key, cluster, app, names: list.map((k) => k.id) });
      }
    }
    empty.sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { cluster, app, names } of empty) {
      names.sort();
      const some = `${names.slice(0, SHOWN).join(', ')}${names.length > SHOWN ? ` and ${names.length - SHOWN} more` : ''}`;
      const hint = e.rollout.canary
        ? `its Kommunen all name their wave or opt out (canary: false); give one of them wave: ${first} or canary: true: ${some}`
        : `set rollout.canary: {perApplicationSet: 1} in ${env.yaml.file} to pick one automatically, or give one of its Kommunen wave: ${first}: ${some}`;
      const pos = positionOf(env.yaml, ['rollout', 'waves', 0, 'name']);
      out.push({
        code: 'E_NO_CANARY',
        severity: isProduction(e) ? 'error' : 'warning',
        message: `ApplicationSet ${cluster}-${app} (cluster ${cluster}, ${app === 'baseline' ? 'the baselines' : `app ${app}`}) has no Kommune in the first wave ${first}: a release reaches ${names.length} ${names.length === 1 ? "Kommune" : "Kommunen"} there without a canary`,
        file: env.yaml.file,
        line: pos.line,
        col: pos.col,
        hint,
      });
    }
  }
  return out;
}

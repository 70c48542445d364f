import type { Diagnostic } from '../diagnostics.js';
import { positionOf } from '../load/yaml-file.js';
import { windowProblem } from '../model/windows.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import type { TenantDoc } from '../schemas/tenant.js';
import type { ShapedFile } from './cross-file.js';
import { closestMatch } from './did-you-mean.js';

/** Schedules Argo CD can parse, real time zones, and Kommunen that exist in the environment. */
export function checkWindows(environments: readonly ShapedFile<EnvironmentDoc>[], tenants: readonly ShapedFile<TenantDoc>[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const env of environments) {
    const ids = tenants.filter((t) => t.doc.environments.includes(env.doc.name)).map((t) => t.doc.id);
    (env.doc.rollout.windows ?? []).forEach((w, i) => {
      const at = (path: (string | number)[]) => positionOf(env.yaml, ['rollout', 'windows', i, ...path]);
      const problem = windowProblem(w);
      if (problem) {
        const pos = at([problem.startsWith('time zone') ? 'timeZone' : 'schedule']);
        out.push({ code: 'E_WINDOW', severity: 'error', message: problem, file: env.yaml.file, line: pos.line, col: pos.col, hint: 'five cron fields (minute hour day month weekday), e.g. "0 18 * * 1-5", in an IANA time zone' });
      }
      (w.kommunen ?? []).forEach((id, j) => {
        if (ids.includes(id)) return;
        const guess = closestMatch(id, ids);
        const pos = at(['kommunen', j]);
        out.push({ code: 'E_UNKNOWN_TENANT', severity: 'error', message: `window for Kommune ${id}, which is not in ${env.doc.name}`, file: env.yaml.file, line: pos.line, col: pos.col, hint: guess ? `did you mean "${guess}"?` : 'name a Kommune of this environment' });
      });
    });
  }
  return out;
}

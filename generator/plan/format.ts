import { formatDiagnostic } from '../diagnostics.js';
import type { LayerChanges } from './diff.js';
import type { Plan, WindowSummary } from './plan.js';
import type { RolloutEstimate } from './rollout.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

/** Members shown by name in a group; larger groups show their count only. */
const LIST_MEMBERS = 12;
const n = (x: number) => x.toLocaleString('en-US');

/** Up to LIST_MEMBERS names, then how many more. */
function names(xs: readonly string[]): string {
  return xs.length <= LIST_MEMBERS ? xs.join(', ') : `${xs.slice(0, LIST_MEMBERS).join(', ')} and ${n(xs.length - LIST_MEMBERS)} more`;
}

function unit(layer: LayerChanges['layer'], count: number): string {
  return layer === 'cluster' ? (count === 1 ? 'cluster' : 'clusters') : count === 1 ? 'Kommune' : 'Kommunen';
}

/** "22 Kommunen: vorgang-manager 2.14.1 → 2.15.0", then the outliers by name. */
function groupLines(layer: LayerChanges): string[] {
  const [main, ...rest] = layer.groups;
  if (!main) return [];
  const lines = [`${n(main.members.length)} ${unit(layer.layer, main.members.length)}: ${main.description}${main.members.length <= LIST_MEMBERS ? ` (${names(main.members)})` : ''}`];
  if (rest.length) {
    const differing = rest.reduce((sum, g) => sum + g.members.length, 0);
    lines.push(`${n(differing)} ${unit(layer.layer, differing)} ${differing === 1 ? 'differs' : 'differ'}:`);
    for (const g of rest) lines.push(`  ${g.description}: ${names(g.members)}`);
  }
  return lines;
}

/**
 * ApplicationSets roll out in parallel, so the slowest one decides how long the change takes; the
 * line names it and counts its Applications per wave.
 */
function rolloutLine(r: RolloutEstimate | undefined): string | undefined {
  if (!r) return undefined;
  const waves = r.waves.filter((w) => w.applications > 0).map((w) => `${w.wave} ${n(w.applications)} in ${w.steps} step${w.steps === 1 ? '' : 's'}`);
  return `rollout: ${r.minutes} min at ${r.syncMinutes} min per step (budget ${r.budgetMinutes} min${r.overBudget ? ', EXCEEDED' : ''}), paced by the slowest ApplicationSet it touches, ${r.slowest}, whose Applications per wave are: ${waves.join(' · ')}`;
}

/** Warnings a text or Markdown plan lists before "and n more". */
const SHOWN_WARNINGS = 20;

export function formatPlan(plan: Plan, format: PlanFormat): string {
  if (format === 'json') return `${JSON.stringify(plan, (_, v: unknown) => (v instanceof Set ? [...v].sort() : v), 2)}\n`;
  const md = format === 'markdown';
  const out: string[] = [];
  const h = (level: number, text: string) => out.push(md ? `${'#'.repeat(level)} ${text}` : level === 1 ? text : `\n${text}`);
  const item = (text: string, depth = 0) => out.push(`${'  '.repeat(depth)}${md ? '- ' : '  '}${text}`);

  h(1, `Plan against ${plan.base.label}${plan.hasChanges ? '' : ': no changes'}`);
  for (const env of plan.environments) {
    const changed = env.haltChanged || env.secretsAdded.length > 0 || env.secretsRemoved.length > 0 || env.layers.some((l) => l.added + l.changed + l.removed > 0);
    const total = env.applicationsAfter + env.addonsAfter;
    h(2, `${env.env}: ${n(env.kommunenAfter)} Kommunen, ${n(total)} Applications (${n(env.applicationsAfter)} of Kommunen, ${n(env.addonsAfter)} cluster add-ons)${changed ? '' : ', unchanged'}`);
    if (env.halted) item(`HALTED${env.halted.apps ? ` (${env.halted.apps.join(', ')})` : ''}: ${env.halted.reason}; Argo CD updates no Application of these ApplicationSets until ozg-gitops resume --env ${env.env} is merged`);
    if (env.resumed) item(`RESUMED: lifts the halt${env.resumed.apps ? ` of ${env.resumed.apps.join(', ')}` : ''} (${env.resumed.reason}); the rollout continues where it stopped`);
    if (env.kommunenAdded.length) item(`Kommunen added: ${env.kommunenAdded.join(', ')}`);
    if (env.kommunenRemoved.length) {
      const reasons = new Map(env.decommissioned.map((d) => [d.id, d.reason]));
      const removed = env.kommunenRemoved.map((id) => (reasons.has(id) ? `${id} (decommissioned: ${reasons.get(id)})` : id));
      item(`Kommunen removed: ${removed.join(', ')}; namespaces and volumes stay (Argo CD deletes nothing: create-update, preserveResourcesOnDeletion)`);
    }
    for (const layer of env.layers) {
      if (layer.added + layer.changed + layer.removed === 0) continue;
      const what = layer.layer === 'cluster' ? 'add-ons' : layer.layer === 'baseline' ? 'baseline Applications' : 'Applications';
      item(`${layer.layer}: ${what} ${[layer.added && `${n(layer.added)} added`, layer.changed && `${n(layer.changed)} changed`, layer.removed && `${n(layer.removed)} removed`].filter(Boolean).join(', ')}`);
      for (const line of groupLines(layer)) item(line, 1);
    }
    const rollout = changed ? rolloutLine(env.rollout) : undefined;
    if (rollout) item(rollout);
    if (env.secretsAdded.length) item(`secrets added: ${names(env.secretsAdded)}; write them to the secret store and apply the roles and policies in dist/${env.env}/secret-backend/ before merging, or their apps wait for them`);
    if (env.secretsRemoved.length) item(`secrets removed: ${names(env.secretsRemoved)}; their ExternalSecrets go, the values stay in the secret store until removed there`);
    if (changed && env.windows) item(windowLine(env.windows, env.rollout?.minutes));
    if (changed && env.canaries.length) item(`canaries (first wave of the ApplicationSets it touches, updated first): ${names(env.canaries)}`);
  }
  h(2, 'Guards');
  const allowed = plan.environments.flatMap((e) => e.decommissioned.map((d) => `${e.env}/${d.id}`));
  if (plan.guards.length === 0) {
    item(allowed.length
      ? `ok: removals allowed because the Kommune files mark them for decommissioning (${allowed.join(', ')}); nothing else disappears, no mass removal`
      : 'ok: nothing disappears from production, no mass removal');
  }
  for (const d of plan.guards) item(md ? `\`${formatDiagnostic(d)}\`` : formatDiagnostic(d));
  h(2, 'Version exceptions');
  if (plan.exceptions.length === 0) item('none');
  for (const x of plan.exceptions) {
    item(`${x.env}: ${x.app} ${x.version} for ${x.wave ? `wave ${x.wave}` : x.tenant} until ${x.until}${x.expired ? ' (EXPIRED)' : ''}: ${x.reason}`);
  }
  h(2, 'Argo CD capacity (Applications of Kommunen and cluster add-ons)');
  for (const c of plan.capacity) {
    item(`${c.scope} ${c.name}: ${n(c.applications)} Applications (limit ${n(c.limit)})${c.exceeded ? ` EXCEEDED: ${c.suggestion}` : ''}`);
  }
  if (plan.warnings.length) {
    // A nationwide fleet carries hundreds of repeated-name warnings; a merge request and a commit
    // message show the first ones, as the CLI does (`--format json` keeps them all).
    h(2, 'Warnings');
    for (const d of plan.warnings.slice(0, SHOWN_WARNINGS)) item(md ? `\`${formatDiagnostic(d)}\`` : formatDiagnostic(d));
    if (plan.warnings.length > SHOWN_WARNINGS) item(`... and ${n(plan.warnings.length - SHOWN_WARNINGS)} more warnings (ozg-gitops validate lists them all)`);
  }
  return `${out.join('\n')}\n`;
}

function windowLine(w: WindowSummary, minutes: number | undefined): string {
  const hours = (m: number) => (m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}` : `${m} min`);
  const parts = [`sync windows: ${w.global.length ? w.global.join('; ') : 'none for every Kommune'}${w.scoped ? `; ${w.scoped} for some Länder or Kommunen` : ''}`];
  if (w.longestWaitMinutes !== undefined) parts.push(`merged at the wrong moment, the rollout waits up to ${hours(w.longestWaitMinutes)} for the next allow window`);
  if (w.fits === true) parts.push(`it fits one allow window (${minutes} of ${w.shortestAllowMinutes} min)`);
  if (w.fits === false) parts.push(`it does NOT fit one allow window (${minutes} > ${w.shortestAllowMinutes} min): it pauses until the next one, budget EXCEEDED`);
  return parts.join('; ');
}

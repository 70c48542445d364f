import type { FleetStatus, Tally } from './aggregate.js';

const BAR = 24;

function bar(t: Tally): string {
  const filled = t.total ? Math.round((t.done / t.total) * BAR) : BAR;
  const failed = t.total ? Math.min(BAR - filled, Math.ceil((t.failed / t.total) * BAR)) : 0;
  return `[${'#'.repeat(filled)}${'!'.repeat(failed)}${'.'.repeat(BAR - filled - failed)}]`;
}

function counts(t: Tally): string {
  const parts = [`${t.done}/${t.total} done`];
  if (t.progressing) parts.push(`${t.progressing} progressing`);
  if (t.missing) parts.push(`${t.missing} missing`);
  if (t.failed) parts.push(`${t.failed} FAILED`);
  return parts.join(', ');
}

/** Progress bars for a terminal, the same lines without bars otherwise. */
export function formatStatus(s: FleetStatus, options: { tty: boolean; maxProblems?: number }): string {
  const line = (label: string, t: Tally) => `${label.padEnd(14)} ${options.tty ? `${bar(t)} ` : ''}${counts(t)}`;
  const headline = { complete: 'rollout complete', failed: 'rollout has failures', 'in-progress': 'rollout in progress', halted: 'rollout HALTED' }[s.state];
  const out = [`${s.env}: ${headline}`];
  if (s.halted) out.push(`HALTED${s.halted.apps ? ` (${s.halted.apps.join(', ')})` : ''}: ${s.halted.reason}; Argo CD updates no further Application until ozg-gitops resume --env ${s.env} is merged`);
  out.push(line('all', s.total));
  out.push('waves:', ...s.byWave.map((t) => `  ${line(t.key, t)}`));
  out.push('Länder:', ...s.byLand.map((t) => `  ${line(t.key, t)}`));
  out.push('clusters:', ...s.byCluster.map((t) => `  ${line(t.key, t)}`));
  const max = options.maxProblems ?? 20;
  if (s.secretsNotSynced.length) {
    out.push(`secrets not synced (${s.secretsNotSynced.length}):`);
    for (const x of s.secretsNotSynced.slice(0, max)) out.push(`  ${x.kommune}: ExternalSecret ${x.secret} ${x.health}${x.message ? `: ${x.message}` : ''}`);
    if (s.secretsNotSynced.length > max) out.push(`  ... and ${s.secretsNotSynced.length - max} more (--format json lists all)`);
  }
  if (s.problems.length) {
    out.push(`not done (${s.problems.length}):`);
    for (const p of s.problems.slice(0, max)) out.push(`  ${p.state.padEnd(11)} ${p.name}: ${p.detail}`);
    if (s.problems.length > max) out.push(`  ... and ${s.problems.length - max} more (--format json lists all)`);
  }
  return out.join('\n');
}

/**
 * Test hook for the crash-safety tests: `OZG_GITOPS_FAULT=<point>@<n>` kills this process with
 * SIGKILL the n-th time the write reaches `<point>` (stage: a file staged; commit: the journal
 * committed; move: a staged file moved into place; remove: a file pruned); `<point>@<n>:stop`
 * freezes it there with SIGSTOP instead (holding its lock). So every test hits the moment it names,
 * on a fast machine or a slow one. Unset, this is one comparison per call.
 */
export type FaultPoint = 'stage' | 'commit' | 'move' | 'remove';

const requested = parse(process.env.OZG_GITOPS_FAULT);

function parse(value: string | undefined): { point: string; n: number; signal: NodeJS.Signals } | undefined {
  const match = /^(stage|commit|move|remove)@([1-9][0-9]*)(:stop)?$/.exec(value ?? '');
  return match ? { point: match[1]!, n: Number(match[2]), signal: match[3] ? 'SIGSTOP' : 'SIGKILL' } : undefined;
}

export function faultPoint(point: FaultPoint, n: number): void {
  if (requested && requested.point === point && requested.n === n) process.kill(process.pid, requested.signal);
}

/** The hook requested at `point`, for a thread that reaches it without this module (write/staging-thread.ts). */
export function requestedFault(point: FaultPoint): { readonly n: number; readonly signal: NodeJS.Signals } | undefined {
  return requested?.point === point ? { n: requested.n, signal: requested.signal } : undefined;
}

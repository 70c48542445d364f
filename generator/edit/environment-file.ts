import { Composer, CST, Parser, isMap, isSeq, type Document } from 'yaml';
import { UserError } from '../diagnostics.js';
import type { VersionException } from '../model/resolve.js';

/** The file's CST tokens and the document composed from them: editing a token's scalar changes only its bytes. */
function parseKeepingTokens(source: string): { tokens: CST.Token[]; doc: Document.Parsed | undefined } {
  const tokens = [...new Parser().parse(source)];
  return { tokens, doc: [...new Composer({ keepSourceTokens: true }).compose(tokens)][0] as Document.Parsed | undefined };
}

/**
 * Byte-minimal edits of an environment file: every byte outside the edited value stays as it
 * was (comments, quoting, key order, alignment), so the merge request shows one changed line.
 */
export function setAppVersion(source: string, file: string, app: string, version: string): string {
  const { tokens, doc } = parseKeepingTokens(source);
  const node = doc?.getIn(['apps', app, 'version'], true) as { srcToken?: CST.Token } | undefined;
  if (!node?.srcToken) throw new UserError(`${file} has no apps.${app}.version to change`, 1, [], 'E_NO_PIN');
  CST.setScalarValue(node.srcToken, version);
  return tokens.map((t) => CST.stringify(t)).join('');
}

/**
 * Adds a governed exception, or replaces the version, reason and expiry of the one for the same
 * app and wave or Kommune. New lines are appended to the `exceptions:` list (or a new list at the
 * end of the file); nothing else in the file changes.
 */
export function upsertException(source: string, file: string, exception: VersionException): string {
  const { tokens, doc } = parseKeepingTokens(source);
  const list = doc?.get('exceptions', true);
  if (isSeq(list)) {
    const existing = list.items.find((item) => {
      if (!isMap(item)) return false;
      const get = (k: string) => item.get(k) as string | undefined;
      return get('app') === exception.app && get('wave') === exception.wave && get('tenant') === exception.tenant;
    });
    if (existing && isMap(existing)) {
      for (const key of ['version', 'reason', 'until'] as const) {
        const node = existing.get(key, true) as { srcToken?: CST.Token } | undefined;
        if (!node?.srcToken) throw new UserError(`${file}: the exception for ${exception.app} has no ${key} to change`, 1, [], 'E_EDIT');
        CST.setScalarValue(node.srcToken, exception[key]);
      }
      return tokens.map((t) => CST.stringify(t)).join('');
    }
    // Append after the last item, indented like the first one ("- " sits two columns before its content).
    const firstStart = (list.items[0] as { range?: [number, number, number] } | undefined)?.range?.[0];
    const indent = firstStart === undefined ? 2 : Math.max(0, firstStart - source.lastIndexOf('\n', firstStart - 1) - 3);
    const end = list.range![1];
    const sep = source.slice(0, end).endsWith('\n') ? '' : '\n';
    return `${source.slice(0, end)}${sep}${exceptionLines(exception, ' '.repeat(indent))}${source.slice(end)}`;
  }
  if (list !== undefined && list !== null) throw new UserError(`${file}: exceptions is not a list`, 1, [], 'E_EDIT');
  const sep = source.endsWith('\n') ? '' : '\n';
  return `${source}${sep}exceptions:\n${exceptionLines(exception, '  ')}`;
}

function exceptionLines(x: VersionException, indent: string): string {
  const quote = (s: string) => JSON.stringify(s);
  const lines = [`- app: ${x.app}`, `  version: ${x.version}`];
  if (x.wave) lines.push(`  wave: ${x.wave}`);
  if (x.tenant) lines.push(`  tenant: ${x.tenant}`);
  lines.push(`  reason: ${quote(x.reason)}`, `  until: ${quote(x.until)}`);
  return lines.map((l) => `${indent}${l}\n`).join('');
}

/** The one line `halt` adds under `rollout:`; `resume` removes exactly this line. */
export function haltLine(indent: string, reason: string, apps?: readonly string[]): string {
  return `${indent}halted: {reason: ${JSON.stringify(reason)}${apps?.length ? `, apps: [${apps.join(', ')}]` : ''}}\n`;
}

/**
 * Adds `halted: {...}` as the first line of the `rollout:` mapping, indented like its keys; every
 * other byte stays. `removeHalt` takes exactly that line out again, so halt then resume gives back
 * the file byte for byte.
 */
export function addHalt(source: string, file: string, reason: string, apps?: readonly string[]): string {
  const { doc } = parseKeepingTokens(source);
  const rollout = doc?.get('rollout', true);
  if (!isMap(rollout) || !rollout.range) throw new UserError(`${file} has no rollout: mapping`, 1, [], 'E_EDIT');
  if (rollout.has('halted')) throw new UserError(`the rollout in ${file} is already halted; resume it first`, 1, [], 'E_ALREADY_HALTED');
  const first = rollout.items[0]?.key as { range?: [number, number, number] } | undefined;
  const start = first?.range?.[0] ?? rollout.range[0];
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  // Comments above the first key belong to it: insert above them, indented like the key.
  const indent = source.slice(lineStart, start);
  if (indent.trim() !== '') throw new UserError(`${file}: rollout is not a block mapping; write it with one key per line`, 1, [], 'E_EDIT');
  let at = lineStart;
  for (;;) {
    const previous = source.lastIndexOf('\n', at - 2) + 1;
    if (at === 0 || !source.slice(previous, at).trimStart().startsWith('#')) break;
    at = previous;
  }
  return `${source.slice(0, at)}${haltLine(indent, reason, apps)}${source.slice(at)}`;
}

export function removeHalt(source: string, file: string): string {
  const { doc } = parseKeepingTokens(source);
  const rollout = doc?.get('rollout', true);
  const pair = isMap(rollout) ? rollout.items.find((p) => (p.key as { value?: unknown } | null)?.value === 'halted') : undefined;
  const key = pair?.key as { range?: [number, number, number] } | undefined;
  const value = pair?.value as { range?: [number, number, number] } | undefined;
  if (!key?.range || !value?.range) throw new UserError(`the rollout in ${file} is not halted`, 1, [], 'E_NOT_HALTED');
  const lineStart = source.lastIndexOf('\n', key.range[0] - 1) + 1;
  const lineEnd = source.indexOf('\n', value.range[1] - 1);
  if (source.slice(lineStart, key.range[0]).trim() !== '' || lineEnd === -1 || source.slice(value.range[1], lineEnd).trim() !== '') {
    throw new UserError(`${file}: rollout.halted is not on a line of its own; remove it by hand`, 1, [], 'E_EDIT');
  }
  return source.slice(0, lineStart) + source.slice(lineEnd + 1);
}

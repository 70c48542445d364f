import { Composer, CST, Parser, isMap, isSeq, type Document } from 'yaml';
import { UserError } from '../diagnostics.js';
import type { VersionException } from '../model/resolve.js';

/**
 * Byte-minimal edits of an environment file: every byte outside the edited value stays as it
 * was (comments, quoting, key order, alignment), so the merge request shows one changed line.
 */
export function setAppVersion(source: string, file: string, app: string, version: string): string {
  const tokens = [...new Parser().parse(source)];
  const doc = [...new Composer({ keepSourceTokens: true }).compose(tokens)][0] as Document.Parsed | undefined;
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
  const tokens = [...new Parser().parse(source)];
  const doc = [...new Composer({ keepSourceTokens: true }).compose(tokens)][0] as Document.Parsed | undefined;
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

import { isCollection, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { fastYamlValue } from './fast-yaml.js';

export const MAX_INPUT_BYTES = 1024 * 1024;
/** Alias expansions allowed in one file; far above honest use, far below a billion laughs. */
const MAX_ALIAS_COUNT = 50;

/** A parsed YAML input that still knows where each of its nodes came from. */
export interface YamlFile {
  /** Path relative to the root, with forward slashes. */
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain JavaScript value, or undefined when the file did not parse. */
  readonly value: unknown;
  /** Set when these bytes parsed and passed the file's own checks before (load/parse-cache.ts). */
  readonly checked?: boolean;
  /** For a file from the parse cache: where its top-level keys and their values are (`topLevelPositions`). */
  readonly topLevel?: TopLevelPositions;
  /** Whether `doc` and `lines` are parsed already (a file read without positions parses them when first asked). */
  readonly positionsParsed: boolean;
}

/**
 * Line and column of each top-level key and of its value, exactly as `positionOf` finds them: per
 * key in `keys`, four numbers in `at` (key line, key column, value line, value column). Flat,
 * because every use of the parse cache copies its entries.
 */
export interface TopLevelPositions {
  readonly keys: readonly string[];
  readonly at: readonly number[];
}

export type PathSegment = string | number;

/** Parses one file's bytes; problems become diagnostics, never exceptions. */
export function parseYamlFile(file: string, bytes: Uint8Array): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const at = (code: string, message: string, hint: string, line = 1, col = 1): Diagnostic => ({
    code,
    severity: 'error',
    message,
    file,
    line,
    col,
    hint,
  });
  if (bytes.length > MAX_INPUT_BYTES) {
    return { diagnostics: [at('E_FILE_TOO_LARGE', `file is ${bytes.length} bytes, the limit is ${MAX_INPUT_BYTES}`, 'a Kommune or environment file is a few dozen lines; split or remove generated content')] };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { diagnostics: [at('E_BOM', 'file starts with a UTF-8 byte-order mark', 'save the file as UTF-8 without BOM')] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, offset)).toString('latin1');
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    return { diagnostics: [at('E_NOT_UTF8', `byte 0x${bytes[offset]?.toString(16)} is not valid UTF-8`, 'save the file as UTF-8 (it looks like Latin-1 or Windows-1252)', line, col)] };
  }
  // Most files read fast, without positions; the yaml package parses the rest, and says what is wrong.
  const fast = fastYamlValue(text);
  if (fast !== undefined) return { yaml: yamlFileWithoutPositions(file, () => text, fast), diagnostics: [] };
  const { doc, lines } = parseWithPositions(text);
  const diagnostics: Diagnostic[] = [];
  // A tab in the indentation throws the parser off; what it reports after that (a "duplicate key"
  // on the lines it misread, for one) follows from the tab, so only the tab errors are shown.
  const problems = [...doc.errors, ...doc.warnings];
  const tabs = problems.filter((e) => e.code === 'TAB_AS_INDENT');
  // Warnings (unknown tags such as !include, for one) would silently change meaning: treat them as errors.
  for (const error of tabs.length ? tabs : problems) {
    const pos = lines.linePos(error.pos[0]);
    diagnostics.push(at(yamlErrorCode(error.code), firstLine(error.message), yamlErrorHint(error.code), pos.line, pos.col));
  }
  if (diagnostics.length > 0) return { diagnostics };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { diagnostics: [at('E_YAML_ALIAS', (error as Error).message, 'do not use YAML anchors and aliases to repeat content many times')] };
  }
  return { yaml: { file, text, doc, lines, value, positionsParsed: true }, diagnostics };
}

function parseWithPositions(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  return { doc: parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true }), lines };
}

/**
 * A file whose bytes parsed and passed its own checks before, from its cached value: its bytes
 * are decoded and its positions parsed only when a diagnostic asks for one (a file named by its
 * git blob id is not even read before that).
 */
export function checkedYamlFile(file: string, bytes: () => Uint8Array, value: unknown, topLevel?: TopLevelPositions): YamlFile {
  return yamlFileWithoutPositions(file, () => new TextDecoder('utf-8').decode(bytes()), value, { checked: true, topLevel });
}

/** A file whose value is known and whose positions are parsed when first asked for. */
function yamlFileWithoutPositions(file: string, decode: () => string, value: unknown, cached?: { checked: true; topLevel?: TopLevelPositions }): YamlFile {
  let text: string | undefined;
  let parsed: { doc: Document.Parsed; lines: LineCounter } | undefined;
  const parse = () => (parsed ??= parseWithPositions((text ??= decode())));
  return {
    file,
    get text() {
      return (text ??= decode());
    },
    value,
    checked: cached?.checked,
    topLevel: cached?.topLevel,
    get positionsParsed() {
      return parsed !== undefined;
    },
    get doc() {
      return parse().doc;
    },
    get lines() {
      return parse().lines;
    },
  };
}

/** Line and column of the deepest node that exists along `path` (the whole document when none does). */
export function positionOf(yaml: YamlFile, path: readonly PathSegment[], useKey = false): { line: number; col: number } {
  // A cached file reported on at a top-level key (a name two Kommunen share, for one: hundreds of
  // files in a nationwide fleet) is not parsed again for it.
  const known = path.length === 1 && yaml.topLevel ? yaml.topLevel.keys.indexOf(String(path[0])) : -1;
  if (known >= 0) {
    const at = yaml.topLevel!.at;
    const i = 4 * known + (useKey ? 0 : 2);
    return { line: at[i]!, col: at[i + 1]! };
  }
  let node: unknown = yaml.doc.contents;
  let best: Node | undefined = yaml.doc.contents ?? undefined;
  for (let i = 0; i < path.length; i++) {
    if (!isCollection(node)) break;
    const segment = path[i]!;
    const pair = isMapLike(node) ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment)) : undefined;
    if (useKey && i === path.length - 1 && pair && isScalar(pair.key)) {
      best = pair.key;
      break;
    }
    const child = node.get(segment, true) as unknown;
    if (child === undefined || child === null || typeof child !== 'object') {
      if (pair && isScalar(pair.key)) best = pair.key;
      break;
    }
    node = child;
    best = child as Node;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = yaml.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

/** Kept with a file in the parse cache, taken from its parse when it is first checked. */
export function topLevelPositions(yaml: YamlFile): TopLevelPositions {
  const keys: string[] = [];
  const at: number[] = [];
  const contents = yaml.doc.contents;
  if (!isMapLike(contents)) return { keys, at };
  for (const { key } of contents.items) {
    if (!isScalar(key) || keys.includes(String(key.value))) continue;
    const name = String(key.value);
    const [k, v] = [positionOf(yaml, [name], true), positionOf(yaml, [name])];
    keys.push(name);
    at.push(k.line, k.col, v.line, v.col);
  }
  return { keys, at };
}

function isMapLike(node: unknown): node is { items: { key: unknown; value: unknown }[] } {
  return isCollection(node) && (node as { items: unknown[] }).items.every((i) => typeof i === 'object' && i !== null && 'key' in i);
}

/** Offset of the first byte that starts an invalid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return Math.max(0, bytes.length - 1);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlErrorCode(code: string): string {
  if (code === 'DUPLICATE_KEY') return 'E_YAML_DUPLICATE_KEY';
  if (code === 'TAG_RESOLVE_FAILED' || code === 'BAD_DIRECTIVE') return 'E_YAML_TAG';
  if (code === 'TAB_AS_INDENT') return 'E_YAML_TAB';
  return 'E_YAML_SYNTAX';
}

function yamlErrorHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once per mapping; remove or merge the second one';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'TAG_RESOLVE_FAILED':
      return 'YAML tags such as !include are not supported; write the value itself';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the colon after each key';
    default:
      return 'the file must be valid YAML; quote values that contain ": " or start with a special character';
  }
}

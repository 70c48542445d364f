import { dump } from 'js-yaml';
import { KIND_ORDER } from './labels.js';

export type KubeObject = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
};

/** One file of the rendered tree. `source` is the input file that caused it, for diagnostics. */
export interface RenderedFile {
  /** Relative to the output root, forward slashes. */
  readonly path: string;
  readonly objects: readonly KubeObject[];
  readonly source: string;
  /** Raw content for non-manifest files; when set, objects is empty. */
  readonly text?: string;
}

/**
 * js-yaml quotes every string a YAML 1.1 parser would read as something else (`'on'`, `'yes'`,
 * `'0755'`, `'01002000'`), which Kubernetes' parser needs; no anchors, no line folding, LF, one
 * trailing newline, documents in a fixed kind order then by name. It is five times faster than
 * yaml's stringify, and this is the hot path of a nationwide render.
 */
export function serializeFile(file: RenderedFile): string {
  if (file.text !== undefined) return file.text.endsWith('\n') ? file.text : `${file.text}\n`;
  return sortObjects(file.objects).map(dumpObject).join('---\n');
}

const DUMP_OPTIONS = { lineWidth: -1, noRefs: true } as const;
const ELEMENTS_MARK = 'ozg-gitops-list-elements';

/**
 * An ApplicationSet's list elements (up to 900 Kommunen) are most of its text, and a Kommune's
 * element recurs in every app's ApplicationSet of its cluster and on both sides of a plan: each
 * element is dumped once and spliced in. Written by hand for speed; what makes it exact: with no
 * line folding (lineWidth -1) js-yaml writes a block sequence item the same wherever it stands,
 * every line indented by the item's level, except that lines of block scalars that are empty stay
 * empty (js-yaml's indentString). `test/serialize.test.ts` compares it with a plain dump.
 */
function dumpObject(o: KubeObject): string {
  const elements = listElements(o);
  if (!elements) return dump(o, DUMP_OPTIONS);
  const shell = dump(withListElements(o, ELEMENTS_MARK), DUMP_OPTIONS);
  const mark = `elements: ${ELEMENTS_MARK}\n`;
  const at = shell.indexOf(mark);
  if (at < 0 || shell.includes(mark, at + 1)) return dump(o, DUMP_OPTIONS);
  // The items are indented one level (two spaces) more than their key.
  const indent = ' '.repeat(at - (shell.lastIndexOf('\n', at) + 1) + 2);
  let items = '';
  for (const element of elements) items += elementText(element, indent);
  return `${shell.slice(0, at)}elements:\n${items}${shell.slice(at + mark.length)}`;
}

/** The elements of an ApplicationSet's one list generator, when it has some. */
function listElements(o: KubeObject): readonly unknown[] | undefined {
  if (o.kind !== 'ApplicationSet') return undefined;
  const generators = (o.spec as { generators?: { list?: { elements?: unknown } }[] } | undefined)?.generators;
  const elements = generators?.length === 1 ? generators[0]!.list?.elements : undefined;
  return Array.isArray(elements) && elements.length > 0 ? elements : undefined;
}

/** `o` with its list generator's elements replaced, every key in its place. */
function withListElements(o: KubeObject, elements: unknown): KubeObject {
  const spec = o.spec as { generators: { list: object }[] };
  return { ...o, spec: { ...spec, generators: [{ ...spec.generators[0], list: { ...spec.generators[0]!.list, elements } }] } };
}

/** Dumped elements by indentation and content; emptied when full (one cluster's Kommunen are far fewer). */
const elementTexts = new Map<string, string>();
const ELEMENT_TEXTS_KEPT = 20_000;

function elementText(element: unknown, indent: string): string {
  const key = isPlainData(element) ? `${indent.length}:${JSON.stringify(element)}` : undefined;
  let text = key === undefined ? undefined : elementTexts.get(key);
  if (text === undefined) {
    text = dump([element], DUMP_OPTIONS).replace(/^(?=.)/gm, indent);
    if (key !== undefined) {
      if (elementTexts.size >= ELEMENT_TEXTS_KEPT) elementTexts.clear();
      elementTexts.set(key, text);
    }
  }
  return text;
}

/**
 * Whether JSON tells this value apart from every other that dumps differently: strings, booleans,
 * null and finite numbers other than -0 (JSON writes NaN as null and -0 as 0), in plain objects and arrays.
 */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as Record<string, unknown>).every(isPlainData);
}

export function sortObjects(objects: readonly KubeObject[]): KubeObject[] {
  const rank = (kind: string) => {
    const i = (KIND_ORDER as readonly string[]).indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...objects].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      cmp(a.kind, b.kind) ||
      cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      cmp(a.metadata.name, b.metadata.name),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { dump } from 'js-yaml';
import { checkKommuneInvariants } from './invariants.js';
import { checkNames, validateRenderedFile } from './validate-output.js';
import type { Diagnostic } from '../diagnostics.js';
import { windowsFor } from '../model/windows.js';
import type { ResolvedEnvironment, ResolvedKommune } from '../model/resolve.js';
import { digestOf } from '../render/fingerprint.js';
import { renderKommune } from '../render/render-fleet.js';
import { sortObjects, type KubeObject, type RenderedFile } from '../render/serialize.js';

/**
 * Each Kommune's own files, rendered and checked in one pass (so this lives in check/, which
 * imports render/, and render/ never imports check/).
 *
 * A Kommune's own files (baseline and project) differ from every other Kommune's of the same
 * environment, size and cluster only in five values. So cdk8s renders them once per shape with
 * placeholders, the result is validated and checked once, serialized with every string
 * double-quoted, and each Kommune gets a copy with its values JSON-escaped into the quotes, which
 * is always valid YAML. At 10,800 Kommunen × 3 environments this turns 32,400 cdk8s syntheses and
 * YAML serializations into a few dozen; `renderKommuneDirect` is the reference it must equal.
 */
const PLACEHOLDERS = { id: 'zzozgidzz', name: 'zzozgnamezz', ags: 'zzozgagszz', land: 'zzozglandzz', wave: 'zzozgwavezz' } as const;
const MARK = 'zzozg';
/** The order of a Kommune's values in `fillIn`. */
const SLOTS = Object.keys(PLACEHOLDERS) as (keyof typeof PLACEHOLDERS)[];
/** Any placeholder; `cutText` finds its slot by its text. */
const PLACEHOLDER = new RegExp(SLOTS.map((slot) => PLACEHOLDERS[slot]).join('|'), 'g');
const SLOT_OF: ReadonlyMap<string, number> = new Map(SLOTS.map((slot, i) => [PLACEHOLDERS[slot], i]));

/** A text cut at its placeholders: `parts` around them, `slots` the value (index into SLOTS) between part i and i + 1. */
interface CutText {
  readonly parts: readonly string[];
  readonly slots: readonly number[];
}

/**
 * Written by hand for speed: a template is cut at its placeholders once and filled in one pass,
 * where five `replaceAll` passes over each text took 2 s of a nationwide render. A value is put
 * in as it is, never searched again for placeholders (as a direct render would have it).
 */
function cutText(text: string): CutText {
  const parts: string[] = [];
  const slots: number[] = [];
  let at = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(at, match.index));
    slots.push(SLOT_OF.get(match[0])!);
    at = match.index + match[0].length;
  }
  parts.push(text.slice(at));
  return { parts, slots };
}

function fillIn(text: CutText, values: readonly string[]): string {
  let out = text.parts[0]!;
  for (let i = 0; i < text.slots.length; i++) out += values[text.slots[i]!]! + text.parts[i + 1]!;
  return out;
}

export interface KommuneFiles {
  readonly files: readonly (readonly [path: string, text: string])[];
  readonly diagnostics: readonly Diagnostic[];
}

interface Template {
  readonly files: readonly (readonly [path: CutText, text: CutText])[];
  /** Every check but the name checks, which see each Kommune's real values (`render`). */
  readonly diagnostics: readonly Diagnostic[];
  /** Per file, what the name checks read (names, namespaces, labels), cut at the placeholders. */
  readonly names: readonly { readonly path: CutText; readonly objects: readonly NamesOf[] }[];
}

/** Every string double-quoted: a value put into the quotes only needs JSON escaping. */
export function serializeQuoted(file: RenderedFile): string {
  return sortObjects(file.objects)
    .map((o) => dump(o, { lineWidth: -1, noRefs: true, forceQuotes: true, quotingType: '"' }))
    .join('---\n');
}

/** Renders, validates and checks one Kommune's files the slow, direct way. */
export function renderKommuneDirect(env: ResolvedEnvironment, k: ResolvedKommune): KommuneFiles {
  const files = renderKommune(env, k);
  const diagnostics = [...files.flatMap((f) => validateRenderedFile(f, 'dist')), ...checkKommuneInvariants(env, k, files)];
  return { files: files.map((f) => [f.path, serializeQuoted(f)] as const), diagnostics };
}

/** What `checkNames` reads of an object, cut at the placeholders. */
interface NamesOf {
  readonly kind: string;
  readonly name?: CutText;
  readonly namespace?: CutText;
  readonly labels?: readonly (readonly [key: string, value: CutText])[];
}

function namesOf(object: KubeObject): NamesOf {
  const { name, namespace, labels } = object.metadata as { name?: string; namespace?: string; labels?: Record<string, string> };
  return {
    kind: object.kind,
    ...(name === undefined ? {} : { name: cutText(name) }),
    ...(namespace === undefined ? {} : { namespace: cutText(namespace) }),
    ...(labels === undefined ? {} : { labels: Object.entries(labels).map(([key, value]) => [key, cutText(value)] as const) }),
  };
}

/** The metadata `checkNames` reads, with a Kommune's values filled in. */
function filledNames(names: NamesOf, values: readonly string[]): Pick<KubeObject, 'kind' | 'metadata'> {
  let labels: Record<string, string> | undefined;
  if (names.labels) {
    labels = {};
    for (const [key, value] of names.labels) labels[key] = fillIn(value, values);
  }
  const metadata = { name: names.name && fillIn(names.name, values), namespace: names.namespace && fillIn(names.namespace, values), labels };
  return { kind: names.kind, metadata: metadata as KubeObject['metadata'] };
}

/**
 * One Kommune's own files as a unit of work. Its fingerprint is known without filling anything in:
 * the digest of its template's text plus its five values, which is exactly what its files are
 * made of (a directly rendered Kommune's fingerprint is that of its rendered text).
 */
export interface KommuneUnit {
  readonly fingerprint: string;
  /** The template's checks, which do not depend on the Kommune's own values (checked on first use). */
  readonly shared: readonly Diagnostic[];
  /** Its files and the checks of its own names. */
  materialize(): KommuneFiles;
}

export class KommuneTemplates {
  private readonly cache = new Map<string, Template & { digest: string }>();
  /** The short texts (names, labels, messages) of the templates, each cut once. */
  private readonly cuts = new Map<string, CutText>();

  private cut(text: string): CutText {
    let cut = this.cuts.get(text);
    if (!cut) this.cuts.set(text, (cut = cutText(text)));
    return cut;
  }

  /** Renders and checks one Kommune's files. */
  render(env: ResolvedEnvironment, k: ResolvedKommune): KommuneFiles {
    const unit = this.unit(env, k);
    const own = unit.materialize();
    return { files: own.files, diagnostics: [...unit.shared, ...own.diagnostics] };
  }

  unit(env: ResolvedEnvironment, k: ResolvedKommune): KommuneUnit {
    const values: string[] = SLOTS.map((slot) => k[slot]);
    // An input that contains the placeholder mark could be mistaken for one, and a window scoped
    // to a Land or a Kommune depends on values the placeholders stand for: such Kommunen (few)
    // are rendered directly.
    if (values.some((v) => v.includes(MARK)) || windowsFor(env.doc, k).some((w) => w.laender || w.kommunen)) {
      const direct = renderKommuneDirect(env, k);
      return { fingerprint: digestOf(['direct', ...direct.files.flat()]), shared: [], materialize: () => ({ files: direct.files, diagnostics: direct.diagnostics }) };
    }
    const template = this.templateFor(env, k);
    const fill = (text: string) => fillIn(this.cut(text), values);
    return {
      fingerprint: digestOf([template.digest, ...values]),
      get shared() {
        return template.diagnostics.map((d) => ({ ...d, file: k.file, message: fill(d.message) }));
      },
      materialize: () => {
        // Names, namespaces and labels are checked on the real values: an id that makes an invalid
        // name must fail here exactly as in a direct render.
        const names = template.names.flatMap((f) => {
          const file = { path: fillIn(f.path, values), source: k.file };
          return f.objects.flatMap((o) => checkNames(filledNames(o, values), file, 'dist'));
        });
        // Inside double quotes a value needs only JSON's escaping.
        const quoted = values.map((v) => JSON.stringify(v).slice(1, -1));
        return { files: template.files.map(([p, text]) => [fillIn(p, values), fillIn(text, quoted)] as const), diagnostics: names };
      },
    };
  }

  private templateFor(env: ResolvedEnvironment, k: ResolvedKommune): Template & { digest: string } {
    // The secrets differ by the Kommune's apps and its own key lists.
    const key = `${env.name}\0${k.size}\0${k.cluster}\0${JSON.stringify(k.secrets)}`;
    let template = this.cache.get(key);
    if (!template) {
      const shape: ResolvedKommune = { ...k, id: PLACEHOLDERS.id, namespace: PLACEHOLDERS.id, name: PLACEHOLDERS.name, ags: PLACEHOLDERS.ags, land: PLACEHOLDERS.land as ResolvedKommune['land'], wave: PLACEHOLDERS.wave, file: k.file };
      const files = renderKommune(env, shape);
      const texts = files.map((f) => [f.path, serializeQuoted(f)] as const);
      let diagnostics: Diagnostic[] | undefined;
      template = {
        files: texts.map(([p, text]) => [cutText(p), cutText(text)] as const),
        digest: digestOf(['template', ...texts.flat()]),
        // Checked when a Kommune of this template is filled in: a run whose Kommunen are all in
        // place from the last run checks none (that run checked the same text).
        get diagnostics() {
          return (diagnostics ??= [...files.flatMap((f) => validateRenderedFile(f, 'dist', { names: false })), ...checkKommuneInvariants(env, shape, files)]);
        },
        names: files.map((f) => ({ path: cutText(f.path), objects: f.objects.map(namesOf) })),
      };
      this.cache.set(key, template);
    }
    return template;
  }
}

import type { Diagnostic } from '../diagnostics.js';
import { positionOf, type PathSegment, type YamlFile } from '../load/yaml-file.js';

/** Keys that name a credential. A value under one must be a reference, never the credential itself. */
const SECRET_KEY = /(pass(word|wd|phrase)?|pwd|token|secret|api[-_]?key|private[-_]?key|credentials?|client[-_]?secret|access[-_]?key)$/i;
/** Keys that hold a reference to a secret, not a secret: existingSecret, secretName, secretRef... */
const REFERENCE_KEY = /(existing[-_]?secret|secret[-_]?(name|ref|key|path)|key[-_]?ref|ref)$/i;
/** Values that are references: vault:..., ref+..., ${...} placeholders, ExternalSecret-style remote refs. */
const REFERENCE_VALUE = /^(vault:|ref\+|secretref:|\$\{[^}]+\}$|external-secret:)/i;

const MIN_ENTROPY_LENGTH = 20;
const ENTROPY_BITS_PER_CHAR = 4.0;

export interface SecretFinding {
  readonly path: PathSegment[];
  readonly code: 'E_LITERAL_SECRET' | 'E_HIGH_ENTROPY';
}

/** Literal credentials anywhere in a value: by key name, and by high-entropy strings. */
export function scanForSecrets(root: unknown): SecretFinding[] {
  const out: SecretFinding[] = [];
  walk(root, [], (path, key, value) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value);
    if (key !== undefined && SECRET_KEY.test(key) && !REFERENCE_KEY.test(key) && !REFERENCE_VALUE.test(text) && text !== '') {
      out.push({ path, code: 'E_LITERAL_SECRET' });
    } else if (typeof value === 'string' && looksRandom(text)) {
      out.push({ path, code: 'E_HIGH_ENTROPY' });
    }
  });
  return out;
}

/** Literal credentials in an input file, as positioned diagnostics. */
export function findLiteralSecrets(yaml: YamlFile): Diagnostic[] {
  return scanForSecrets(yaml.value).map(({ path, code }) => {
    const pos = positionOf(yaml, path);
    const where = path.join('.');
    return code === 'E_LITERAL_SECRET'
      ? { code, severity: 'error', message: `${where} looks like a credential written in plain text`, file: yaml.file, line: pos.line, col: pos.col, hint: 'store it in the secret store and reference it, e.g. existingSecret: <name> or vault:secret/data/<path>#<key>; never commit credentials' }
      : { code, severity: 'error', message: `${where} holds a random-looking value that may be a credential`, file: yaml.file, line: pos.line, col: pos.col, hint: 'if it is a credential, reference it from the secret store instead; otherwise shorten or split it' };
  });
}

function walk(value: unknown, path: PathSegment[], visit: (path: PathSegment[], key: string | undefined, value: unknown) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, i], visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
  } else {
    const key = [...path].reverse().find((s): s is string => typeof s === 'string');
    visit(path, key, value);
  }
}

/** Long, unbroken, mixed-class strings with high Shannon entropy; URLs, paths and prose are not. */
export function looksRandom(text: string): boolean {
  if (text.length < MIN_ENTROPY_LENGTH || /\s/.test(text)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || REFERENCE_VALUE.test(text)) return false;
  if (/^[a-z0-9.-]+$/.test(text) || /^[\w./-]+\/[\w./-]+$/.test(text) && !/[+=]/.test(text)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(text)).length;
  if (classes < 3) return false;
  return shannonEntropy(text) >= ENTROPY_BITS_PER_CHAR;
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

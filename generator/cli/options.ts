import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import semver from 'semver';
import { UserError } from '../diagnostics.js';

/**
 * The one place command-line values are parsed. Every parser either returns a typed value or
 * throws commander's InvalidArgumentError with what the option accepts; commander then names the
 * option and the CLI exits 2 before any work starts.
 */
export type Parse<T> = (value: string, previous?: T) => T;

const reject = (what: string): never => {
  throw new InvalidArgumentError(`expected ${what}`);
};

/** An integer ≥ `min` (1 unless given). */
export function integer(min = 1, max = Number.MAX_SAFE_INTEGER): Parse<number> {
  return (value) => {
    const n = /^[0-9]+$/.test(value.trim()) ? Number(value) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : reject(`a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, e.g. ${Math.max(min, 2)}`);
  };
}

/** A number of seconds > 0, at most `max`. */
export function seconds(max: number): Parse<number> {
  return (value) => {
    const n = /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
    return n > 0 && n <= max ? n : reject(`a number of seconds above 0 and at most ${max}, e.g. 10`);
  };
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Names separated by commas, or given as repeated values (`--env test,prod` and `--env test prod`
 * mean the same); each a lowercase DNS label. Whether they exist is checked against the inputs.
 */
export function nameList(what: string): Parse<string[]> {
  return (value, previous) => {
    const names = value.split(',').map((n) => n.trim());
    if (names.some((n) => !NAME.test(n))) reject(`${what} names separated by commas, e.g. test,prod (lowercase letters, digits and hyphens)`);
    return [...new Set([...(previous ?? []), ...names])];
  };
}

/** One name: a lowercase DNS label. */
export function name(what: string, example: string): Parse<string> {
  return (value) => (NAME.test(value) ? value : reject(`${what}: lowercase letters, digits and hyphens, e.g. ${example}`));
}

/** A calendar date YYYY-MM-DD that exists. */
export const date: Parse<string> = (value) => {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  return d && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? value : reject('a date YYYY-MM-DD, e.g. 2026-12-31');
};

/** A semantic version as Helm chart pins are written: 2.15.0, no leading "v". */
export const version: Parse<string> = (value) => {
  if (/^v[0-9]/.test(value) && semver.valid(value.slice(1))) reject(`a version without the leading "v": ${value.slice(1)}`);
  return semver.valid(value) === value ? value : reject('a semantic version, e.g. 2.15.0');
};

/** An http(s) URL with a host. */
export const httpUrl: Parse<string> = (value) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || !url.hostname) {
    reject(`an http or https URL, e.g. https://${/^[a-z0-9.-]+$/i.test(value) ? value : 'argocd.example'}`);
  }
  return value;
};

/** The name of an environment variable. */
export const variableName: Parse<string> = (value) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? value : reject('an environment variable name, e.g. ARGOCD_AUTH_TOKEN'));

/** An existing folder or file (`kind`), made absolute. */
function existing(kind: 'folder' | 'file'): Parse<string> {
  return (value) => {
    const full = path.resolve(value);
    let found = false;
    try {
      const stat = statSync(full);
      found = kind === 'folder' ? stat.isDirectory() : stat.isFile();
    } catch {
      found = false;
    }
    return found ? full : reject(`${kind === 'folder' ? 'an existing folder' : 'a file to read'}; ${full} is not one`);
  };
}

/** An existing folder, made absolute. */
export const existingDir = existing('folder');

/** An existing file to read, made absolute. */
export const inputFile = existing('file');

/** A path to be written; made absolute. Must not be empty. */
export const outputPath: Parse<string> = (value) => (value.trim() ? path.resolve(value) : reject('a path'));

/** A folder inside a repository: relative, no "..", not the repository itself. */
export const repoFolder: Parse<string> = (value) => {
  const clean = value.replace(/^\/+|\/+$/g, '');
  const parts = clean.split('/');
  if (clean === '' || parts.some((p) => p === '' || p === '.' || p === '..') || parts[0] === '.git') {
    reject('a folder inside the repository such as dist or deploy/dist (not ".", "..", "/" or .git)');
  }
  return clean;
};

/** A git branch name, as `git check-ref-format --branch` would accept. */
export const branchName: Parse<string> = (value) =>
  // eslint-disable-next-line no-control-regex -- control characters are what a branch name must not hold
  /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock(\/|$))[^\s~^:?*[\\\x00-\x1f\x7f]+(?<![./])$/.test(value) ? value : reject('a branch name such as main');

/** An 8-digit AGS. */
export const ags: Parse<string> = (value) => (/^[0-9]{8}$/.test(value) ? value : reject('an 8-digit AGS, e.g. 01002000'));

/** An e-mail address. */
export const email: Parse<string> = (value) => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? value : reject('an e-mail address, e.g. it@kiel.example'));

/** Free text that must not be empty. */
export const text: Parse<string> = (value) => (value.trim() ? value : reject('a non-empty text'));

/**
 * Checks option values that name environments against `environments/*.yaml` under `root` (an
 * environment's name must equal its file name, which validate enforces): a typo is a usage error
 * (exit 2) naming the environments that exist, before anything is loaded or written.
 */
export function requireEnvironments(root: string, option: string, names: readonly string[]): void {
  let known: string[];
  try {
    known = readdirSync(path.join(root, 'environments')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  } catch {
    known = [];
  }
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length === 0) return;
  const accepted = known.length ? `one of ${known.join(', ')}` : `an environment, but ${path.join(root, 'environments')} holds none`;
  throw new UserError(`${option}: there is no environment ${unknown.join(', ')}; expected ${accepted}`, 2, [], 'E_USAGE');
}


import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
import { UserError } from '../diagnostics.js';
import type { EnvironmentDoc } from '../schemas/environment.js';
import { closestMatch } from '../validate/did-you-mean.js';

export interface EnvironmentInput {
  /** `environments/<env>.yaml`, relative to the root. */
  readonly file: string;
  /** The file as it is on disk, for byte-minimal edits. */
  readonly source: string;
  readonly doc: EnvironmentDoc;
}

/** The environment file a change edits; a missing one is a usage error. */
export async function readEnvironmentInput(root: string, env: string): Promise<EnvironmentInput> {
  const file = `environments/${env}.yaml`;
  let source: string;
  try {
    source = await readFile(path.join(root, file), 'utf8');
  } catch {
    throw new UserError(`there is no environment ${env} (${file})`, 2, [], 'E_USAGE');
  }
  return { file, source, doc: load(source) as EnvironmentDoc };
}

/** Throws for an app the environment's catalogue does not have (`extra`: names allowed besides, e.g. baseline). */
export function requireApp(input: EnvironmentInput, env: string, app: string, extra: readonly string[] = []): void {
  const known = [...extra, ...Object.keys(input.doc.apps ?? {})];
  if (known.includes(app)) return;
  const guess = closestMatch(app, known);
  throw new UserError(`app ${app} is not in the catalogue of ${env}${guess ? `; did you mean ${guess}?` : ''}`, 1, [], 'E_UNKNOWN_APP');
}

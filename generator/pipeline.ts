import type { Diagnostic } from './diagnostics.js';
import type { InputSource } from './load/input-source.js';
import { cachedInput, loadInputs, type LoadedInputs } from './load/load-inputs.js';
import type { ParseCache } from './load/parse-cache.js';
import { resolveFleet, withoutPins, type ResolvedFleet } from './model/resolve.js';
import { digestOf, fingerprintJson } from './render/fingerprint.js';
import type { ShapedFile } from './validate/cross-file.js';
import { validateInputs, type RememberPart, type ValidatedInputs, type ValidationOptions, type ValidationPart } from './validate/validate-inputs.js';
import type { EnvironmentDoc } from './schemas/environment.js';

export interface FleetResult {
  /** Set only when the inputs have no error. */
  readonly fleet?: ResolvedFleet;
  readonly diagnostics: readonly Diagnostic[];
  /** Input file → a key of its bytes (load/load-inputs.ts), when loaded with a parse cache. */
  readonly inputKeys?: ReadonlyMap<string, string>;
}

/**
 * load → validate → resolve: from files to one model, or to the list of everything wrong with
 * them. With a parse cache, files it knows are neither parsed nor checked on their own again,
 * and the cache learns the files that passed; whoever opened the cache saves it once everything it
 * needs is loaded (a plan loads two trees, and a save in between would drop the other's files).
 * With `only`, every file is still validated, but only those environments are resolved (status).
 */
export async function loadFleet(source: InputSource, today: string, cache?: ParseCache, options: LoadOptions = {}): Promise<FleetResult> {
  const loaded = await loadInputs(source, cache);
  const validated = validateLoaded(loaded, today, cache, options);
  const inputKeys = cache ? loaded.cacheKeys : undefined;
  if (!validated.docs) return { diagnostics: validated.diagnostics, inputKeys };
  return { fleet: resolveFleet(validated.docs, options.only), diagnostics: validated.diagnostics, inputKeys };
}

export interface LoadOptions extends ValidationOptions {
  /** Resolve only these environments. */
  readonly only?: readonly string[];
}

/**
 * validate, through the parse cache when given: each part of the rules across files that was
 * checked before on the same inputs gives its diagnostics again (`rememberParts`), and the cache
 * learns the parts and the files that passed their own checks. A generate with nothing changed,
 * the plan right after it and `status` validate nothing again; a bump, only its environment;
 * onboarding leaves the set with its new files behind for the generate after it.
 */
export function validateLoaded(loaded: LoadedInputs, today: string, cache?: ParseCache, options?: ValidationOptions): ValidatedInputs {
  // The parts remember the diagnostics as the rules give them; `options` apply after.
  const validated = validateInputs(loaded, today, cache && rememberParts(loaded, today, cache), options);
  if (cache) {
    for (const yaml of validated.checkedFiles) {
      // A file from the cache is in it already (the cache keeps the first entry of a key).
      if (!yaml.checked) cache.set(loaded.cacheKeys.get(yaml.file)!, cachedInput(yaml));
    }
  }
  return validated;
}

/**
 * The parts of validation (validate/validate-inputs.ts: ValidationPart) through the parse cache,
 * keyed by what each part reads:
 * - a Kommune's own rules: its file's name and bytes, and every environment's document without its pins;
 * - the rules comparing Kommunen and environments: every Kommune file by name and bytes, and every
 *   environment's document without its pins;
 * - an environment's rules and coverage: every Kommune file, its file's name and bytes, and the day.
 * The cache is void under other code, so the same key gives the same diagnostics. Diagnostics
 * placed in an environment file are not kept for the parts keyed without its bytes: their
 * positions could move with a pin written on the same line. Undefined (validate everything) when a
 * Kommune file has no key.
 */
function rememberParts(loaded: LoadedInputs, today: string, cache: ParseCache): RememberPart | undefined {
  const kommunen: string[] = [];
  for (const yaml of loaded.tenants) {
    const key = loaded.cacheKeys.get(yaml.file);
    if (key === undefined) return undefined;
    kommunen.push(yaml.file, key);
  }
  const allKommunen = digestOf(kommunen);
  // One array of environments per validation: its key is made once, not once per Kommune.
  const withoutPinsKeys = new WeakMap<object, string>();
  const withoutPinsKey = (environments: readonly ShapedFile<EnvironmentDoc>[]): string => {
    let key = withoutPinsKeys.get(environments);
    if (key === undefined) withoutPinsKeys.set(environments, (key = digestOf(environments.flatMap((e) => [e.yaml.file, fingerprintJson(withoutPins(e.doc))]))));
    return key;
  };
  const keyOf = (part: ValidationPart): string | undefined => {
    if (part.kind === 'kommune') {
      const bytes = loaded.cacheKeys.get(part.tenant.yaml.file);
      // Not digested: 10,800 hashes per validation cost more than the longer keys in the cache.
      return bytes === undefined ? undefined : `pk${withoutPinsKey(part.environments)}\0${part.tenant.yaml.file}\0${bytes}`;
    }
    if (part.kind === 'fleet') return `pf${digestOf([allKommunen, withoutPinsKey(part.environments)])}`;
    const bytes = loaded.cacheKeys.get(part.env.yaml.file);
    return bytes === undefined ? undefined : `p${part.kind === 'environment' ? 'e' : 'c'}${digestOf([allKommunen, today, part.env.yaml.file, bytes])}`;
  };
  return (part, check) => {
    const key = keyOf(part);
    if (key === undefined) return check();
    const known = cache.get(key) as readonly Diagnostic[] | undefined;
    if (known) return known;
    const found = check();
    const keyedWithoutPins = part.kind === 'kommune' || part.kind === 'fleet';
    if (!keyedWithoutPins || !found.some((d) => d.file.startsWith('environments/'))) cache.set(key, found);
    return found;
  };
}

export { today } from './clock.js';

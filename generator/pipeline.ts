import type { Diagnostic } from './diagnostics.js';
import type { InputSource } from './load/input-source.js';
import { cachedInput, loadInputs } from './load/load-inputs.js';
import type { ParseCache } from './load/parse-cache.js';
import { resolveFleet, type ResolvedFleet } from './model/resolve.js';
import { validateInputs } from './validate/validate-inputs.js';

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
export async function loadFleet(source: InputSource, today: string, cache?: ParseCache, only?: readonly string[]): Promise<FleetResult> {
  const loaded = await loadInputs(source, cache);
  const validated = validateInputs(loaded, today);
  if (cache) {
    for (const yaml of validated.checkedFiles) {
      // A file that came from the cache is in it already (and its positions were never parsed).
      if (!yaml.checked) cache.set(loaded.cacheKeys.get(yaml.file)!, cachedInput(yaml));
    }
  }
  const inputKeys = cache ? loaded.cacheKeys : undefined;
  if (!validated.docs) return { diagnostics: validated.diagnostics, inputKeys };
  return { fleet: resolveFleet(validated.docs, only), diagnostics: validated.diagnostics, inputKeys };
}

export { today } from './clock.js';

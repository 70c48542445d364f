import type { Diagnostic } from './diagnostics.js';
import type { InputSource } from './load/input-source.js';
import { loadInputs } from './load/load-inputs.js';
import { resolveFleet, type ResolvedFleet } from './model/resolve.js';
import { validateInputs } from './validate/validate-inputs.js';

export interface FleetResult {
  /** Set only when the inputs have no error. */
  readonly fleet?: ResolvedFleet;
  readonly diagnostics: readonly Diagnostic[];
}

/** load → validate → resolve: from files to one model, or to the list of everything wrong with them. */
export async function loadFleet(source: InputSource, today: string): Promise<FleetResult> {
  const loaded = await loadInputs(source);
  const validated = validateInputs(loaded, today);
  if (!validated.docs) return { diagnostics: validated.diagnostics };
  return { fleet: resolveFleet(validated.docs), diagnostics: validated.diagnostics };
}

export { today } from './clock.js';

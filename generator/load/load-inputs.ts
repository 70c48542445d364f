import type { Diagnostic } from '../diagnostics.js';
import type { InputSource } from './input-source.js';
import { ParseCache } from './parse-cache.js';
import { checkedYamlFile, parseYamlFile, topLevelPositions, type TopLevelPositions, type YamlFile } from './yaml-file.js';

/** What the parse cache keeps of an input file that passed its own checks. */
interface CachedInput {
  readonly value: unknown;
  /** Kept when the run that first read the file parsed its positions (a diagnostic asked for one, or it was read the slow way). */
  readonly topLevel?: TopLevelPositions;
}

/** The parse cache's entry for a freshly read file that passed its own checks. */
export function cachedInput(yaml: YamlFile): CachedInput {
  return { value: yaml.value, topLevel: yaml.positionsParsed ? topLevelPositions(yaml) : undefined };
}

/** Every input file, parsed, before any rule has looked at its content. */
export interface LoadedInputs {
  readonly environments: readonly YamlFile[];
  readonly tenants: readonly YamlFile[];
  /** Problems found while reading: unreadable files, YAML errors, stray files. */
  readonly diagnostics: readonly Diagnostic[];
  /** Input file → the parse cache's key of its bytes (only when loaded with a cache). */
  readonly cacheKeys: ReadonlyMap<string, string>;
}

const ENVIRONMENT_FILE = /^environments\/[^/]+\.yaml$/;
const TENANT_FILE = /^tenants\/[^/]+\/[^/]+\.yaml$/;

/** Reads and parses every input file; files the cache knows are not parsed again. */
export async function loadInputs(source: InputSource, cache?: ParseCache): Promise<LoadedInputs> {
  const cacheKeys = new Map<string, string>();
  const files = await source.listInputFiles();
  const environments: YamlFile[] = [];
  const tenants: YamlFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const problem = (file: string, code: string, message: string, hint: string) =>
    diagnostics.push({ code, severity: 'error', message, file, line: 1, col: 1, hint });

  for (const file of files) {
    const isEnvironment = ENVIRONMENT_FILE.test(file);
    const isTenant = TENANT_FILE.test(file);
    if (!isEnvironment && !isTenant) {
      if (/\.ya?ml$/.test(file)) {
        problem(file, 'E_STRAY_FILE', 'input file in an unexpected place or with the .yml extension', 'environments go in environments/<name>.yaml, Kommunen in tenants/<land>/<id>.yaml');
      }
      // README files and the like next to the inputs are fine.
      continue;
    }
    // Keyed by kind too: the checks a file passed depend on whether it is a Kommune or an environment.
    const kind = isEnvironment ? 'e' : 't';
    const keys = cache ? source.keys : undefined;
    const known = keys?.known(file);
    if (keys && known) {
      const entry = cache!.get(`${kind}${known}`) as CachedInput | undefined;
      if (entry !== undefined) {
        cacheKeys.set(file, `${kind}${known}`);
        (isEnvironment ? environments : tenants).push(checkedYamlFile(file, () => keys.readNow(file), entry.value, entry.topLevel));
        continue;
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = await source.read(file);
    } catch (error) {
      problem(file, 'E_UNREADABLE', `cannot read file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'check the file permissions');
      continue;
    }
    if (cache) {
      const key = `${kind}${source.keys?.known(file) ?? ParseCache.key(bytes)}`;
      cacheKeys.set(file, key);
      const entry = cache.get(key) as CachedInput | undefined;
      if (entry !== undefined) {
        (isEnvironment ? environments : tenants).push(checkedYamlFile(file, () => bytes, entry.value, entry.topLevel));
        continue;
      }
    }
    const parsed = parseYamlFile(file, bytes);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.yaml) (isEnvironment ? environments : tenants).push(parsed.yaml);
  }
  if (!files.some((f) => ENVIRONMENT_FILE.test(f))) {
    problem('environments', 'E_NO_ENVIRONMENTS', 'no environment files found', 'add environments/dev.yaml, test.yaml and prod.yaml, or pass --root to the folder holding them');
  }
  if (!files.some((f) => TENANT_FILE.test(f))) {
    problem('tenants', 'E_NO_TENANTS', 'no Kommune files found', 'add one with `ozg-gitops tenant add`, or pass --root to the folder holding tenants/');
  }
  source.keys?.save?.();
  return { environments, tenants, diagnostics, cacheKeys };
}

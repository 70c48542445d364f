import type { EnvironmentDoc } from '../schemas/environment.js';

/**
 * Secrets per Kommune, from the environment's catalogue (`apps.<app>.secrets`) and the Kommune's
 * own key lists (`secrets:` in its file). Only names and keys: the values live in the secret
 * store, and nothing here ever holds one.
 */
export interface KommuneSecret {
  /** The Kubernetes Secret name the app reads, e.g. vorgang-manager-mongodb. */
  readonly name: string;
  /** The apps that read it. */
  readonly apps: readonly string[];
  readonly keys: readonly string[];
}

/** The ServiceAccount the Kommune's SecretStore authenticates as. */
export const SECRET_STORE_SERVICE_ACCOUNT = 'external-secrets';
/** The name of the Kommune's SecretStore in its namespace. */
export const SECRET_STORE_NAME = 'kommune-secrets';

export function secretsFor(e: EnvironmentDoc, apps: readonly string[], overrides: Readonly<Record<string, readonly string[]>> = {}): KommuneSecret[] {
  const byName = new Map<string, { apps: string[]; keys: Set<string> }>();
  for (const app of apps) {
    for (const [name, keys] of Object.entries(e.apps[app]?.secrets ?? {})) {
      const entry = byName.get(name) ?? { apps: [], keys: new Set<string>() };
      entry.apps.push(app);
      for (const key of keys) entry.keys.add(key);
      byName.set(name, entry);
    }
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, { apps: readers, keys }]) => ({ name, apps: readers.sort(), keys: [...new Set([...keys, ...(overrides[name] ?? [])])].sort() }));
}

/** The Vault role of a Kommune in an environment: it may read only under `pathPrefix`. */
export function secretRole(env: string, kommune: string): string {
  return `${env}-${kommune}`;
}

/** The KV mount and the Kommune's path prefix under it, from `secretStore.pathTemplate`. */
export function secretPath(e: EnvironmentDoc, kommune: string, secret = ''): { mount: string; key: string } {
  const [mount, ...rest] = e.secretStore!.pathTemplate.split('/');
  const key = rest.join('/').replaceAll('{env}', e.name).replaceAll('{kommune}', kommune).replaceAll('{secret}', secret);
  return { mount: mount!, key };
}

/** Everything under which a Kommune's secrets lie: the path up to {secret}, ending in a slash. */
export function secretPrefix(e: EnvironmentDoc, kommune: string): { mount: string; prefix: string } {
  const { mount, key } = secretPath(e, kommune, '');
  return { mount, prefix: key.endsWith('/') ? key : `${key}/` };
}

export function authMount(e: EnvironmentDoc, cluster: string): string {
  return (e.secretStore?.authMountTemplate ?? 'kubernetes-{cluster}').replaceAll('{cluster}', cluster).replaceAll('{env}', e.name);
}

import type { EnvironmentWith, KommuneSecretAccess, ResolvedCluster } from '../model/resolve.js';
import { authMount, SECRET_STORE_SERVICE_ACCOUNT, secretPrefix, secretRole } from '../model/secrets.js';
import type { RenderedFile } from './serialize.js';

/**
 * Where the secret backend's configuration for one cluster goes in dist/ (no Argo CD root reads
 * this folder): one file per cluster, as each cluster has its own Kubernetes auth mount, and so
 * that a Kommune's change rewrites one cluster's file, not a file of every Kommune.
 */
export function secretBackendPath(env: string, cluster: string): string {
  return `${env}/secret-backend/${cluster}.json`;
}

/**
 * What the secret backend must know, from the same inputs as the SecretStores: per Kommune its
 * Kubernetes auth role (bound to its ServiceAccount in its namespace on its cluster's auth mount)
 * and a policy that reads only under its own path. Shapes are Vault's own: `vaultRole` is the body
 * of `POST /v1/auth/<authMount>/role/<role>`, each policy is a JSON policy document
 * (`PUT /v1/sys/policies/acl/<name>`). Applying them is the platform team's tooling; the generator
 * talks to no secret backend and holds no secret.
 */
export function renderSecretBackend(env: EnvironmentWith<KommuneSecretAccess>, cluster: ResolvedCluster): RenderedFile | undefined {
  const store = env.doc.secretStore;
  const kommunen = env.kommunen.filter((k) => k.cluster === cluster.name);
  if (!store || kommunen.length === 0) return undefined;
  const roles = kommunen.map((k) => {
    const { mount, prefix } = secretPrefix(env.doc, k.id);
    const role = secretRole(env.name, k.id);
    const policy = `ozg-${role}`;
    return {
      role,
      kommune: k.id,
      cluster: k.cluster,
      authMount: authMount(env.doc, k.cluster),
      namespace: k.namespace,
      serviceAccount: SECRET_STORE_SERVICE_ACCOUNT,
      mount,
      pathPrefix: prefix,
      policy,
      secrets: k.secrets.map((s) => ({ name: s.name, keys: s.keys })),
      vaultRole: { bound_service_account_names: [SECRET_STORE_SERVICE_ACCOUNT], bound_service_account_namespaces: [k.namespace], token_policies: [policy], token_ttl: '1h' },
    };
  });
  const policies = Object.fromEntries(
    roles.map((r) => [
      r.policy,
      {
        // KV version 2: values under data/, listing under metadata/.
        path: {
          [`${r.mount}/data/${r.pathPrefix}*`]: { capabilities: ['read'] },
          [`${r.mount}/metadata/${r.pathPrefix}*`]: { capabilities: ['read', 'list'] },
        },
      },
    ]),
  );
  const document = { environment: env.name, cluster: cluster.name, provider: store.provider ?? 'vault', server: store.server, kvVersion: 2, authMount: authMount(env.doc, cluster.name), roles, policies };
  return { path: secretBackendPath(env.name, cluster.name), objects: [], source: env.file, text: `${JSON.stringify(document, null, 2)}\n` };
}

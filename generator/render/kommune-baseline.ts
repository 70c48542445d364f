import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { ResolvedEnvironment, ResolvedKommune } from '../model/resolve.js';
import { authMount, SECRET_STORE_NAME, SECRET_STORE_SERVICE_ACCOUNT, secretPath, secretRole } from '../model/secrets.js';
import { LABELS, MANAGED_BY } from './labels.js';
import type { KubeObject, RenderedFile } from './serialize.js';

/** Namespace the ingress controller runs in on every cluster (ours on vm clusters, the provider's elsewhere). */
export const INGRESS_NAMESPACE = 'ingress-nginx';

/** Container defaults inside a Kommune namespace; the quota comes from the size profile. */
const CONTAINER_DEFAULTS = {
  defaultRequest: { cpu: '100m', memory: '128Mi' },
  default: { cpu: '500m', memory: '512Mi' },
};

export function kommuneLabels(env: ResolvedEnvironment, k: ResolvedKommune): Record<string, string> {
  return {
    [LABELS.env]: env.name,
    [LABELS.kommune]: k.id,
    [LABELS.land]: k.land,
    [LABELS.ags]: k.ags,
    [LABELS.managedBy]: MANAGED_BY,
  };
}

export function baselinePath(env: ResolvedEnvironment, k: ResolvedKommune): string {
  return `${env.name}/kommunen/${k.id}/baseline.yaml`;
}

/**
 * The Kommune's own corner of its cluster: namespace with Pod Security `restricted`, quota and
 * limits from its size, default-deny networking with the three holes every app needs, and a
 * tenant-admin role bound to the Kommune's OIDC group.
 */
export function renderKommuneBaseline(env: ResolvedEnvironment, k: ResolvedKommune): RenderedFile {
  // One App per Kommune: cdk8s synthesis of one App holding every Kommune is quadratic.
  const chart = new Chart(new App(), 'baseline', { labels: kommuneLabels(env, k) });
  const namespace = k.namespace;
  const size = env.doc.sizes[k.size]!;

  new kplus.Namespace(chart, 'namespace', {
    metadata: {
      name: namespace,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        [LABELS.wave]: k.wave,
      },
      annotations: { [`${LABELS.kommune}-name`]: k.name },
    },
  });

  new ApiObject(chart, 'quota', {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'kommune-quota', namespace },
    spec: {
      hard: {
        'requests.cpu': size.cpu,
        'limits.cpu': size.cpu,
        'requests.memory': size.memory,
        'limits.memory': size.memory,
        'requests.storage': size.storage,
        pods: String(size.pods),
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      },
    },
  });

  new ApiObject(chart, 'limits', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'container-defaults', namespace },
    spec: { limits: [{ type: 'Container', ...CONTAINER_DEFAULTS }] },
  });

  const thisNamespace = kplus.Namespaces.select(chart, 'this-namespace', { names: [namespace] });
  const allPods = kplus.Pods.all(chart, 'all-pods', { namespaces: thisNamespace });

  new kplus.NetworkPolicy(chart, 'default-deny', {
    metadata: { name: 'default-deny', namespace },
    selector: allPods,
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });

  const sameNamespace = new kplus.NetworkPolicy(chart, 'allow-same-namespace', {
    metadata: { name: 'allow-same-namespace', namespace },
    selector: allPods,
  });
  const podsHere = kplus.Pods.select(chart, 'pods-here', { labels: {}, namespaces: thisNamespace });
  sameNamespace.addIngressRule(podsHere);
  sameNamespace.addEgressRule(podsHere);

  const fromIngress = new kplus.NetworkPolicy(chart, 'allow-from-ingress', {
    metadata: { name: 'allow-from-ingress-controller', namespace },
    selector: allPods,
  });
  fromIngress.addIngressRule(
    kplus.Pods.select(chart, 'ingress-controller', {
      labels: {},
      namespaces: kplus.Namespaces.select(chart, 'ingress-namespace', { labels: { 'kubernetes.io/metadata.name': INGRESS_NAMESPACE } }),
    }),
  );

  const dns = new kplus.NetworkPolicy(chart, 'allow-dns', { metadata: { name: 'allow-dns', namespace }, selector: allPods });
  dns.addEgressRule(
    kplus.Pods.select(chart, 'kube-dns', {
      labels: { 'k8s-app': 'kube-dns' },
      namespaces: kplus.Namespaces.select(chart, 'kube-system', { labels: { 'kubernetes.io/metadata.name': 'kube-system' } }),
    }),
    [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)],
  );

  const role = new kplus.Role(chart, 'tenant-admin-role', { metadata: { name: 'tenant-admin', namespace } });
  role.allowRead(
    kplus.ApiResource.PODS,
    kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/log' }),
    kplus.ApiResource.SERVICES,
    kplus.ApiResource.CONFIG_MAPS,
    kplus.ApiResource.EVENTS,
    kplus.ApiResource.PERSISTENT_VOLUME_CLAIMS,
    kplus.ApiResource.DEPLOYMENTS,
    kplus.ApiResource.STATEFUL_SETS,
    kplus.ApiResource.JOBS,
    kplus.ApiResource.CRON_JOBS,
    kplus.ApiResource.INGRESSES,
  );
  // Restarting a stuck pod is the one write a Kommune's admin needs; everything else comes through Git.
  role.allow(['delete'], kplus.ApiResource.PODS);
  const binding = new kplus.RoleBinding(chart, 'tenant-admin-binding', { metadata: { name: 'tenant-admin', namespace }, role });
  binding.addSubjects(kplus.Group.fromName(chart, 'tenant-admins', `${env.oidcGroupPrefix}${k.id}`));
  renderKommuneSecrets(chart, env, k);

  return { path: baselinePath(env, k), objects: chart.toJson() as KubeObject[], source: k.file };
}

/**
 * Secrets without a byte in Git: a ServiceAccount the External Secrets Operator authenticates to
 * the secret store as (Kubernetes auth, the Kommune's own Vault role), a namespaced SecretStore that
 * uses only it, and one ExternalSecret per secret the Kommune's apps read, each reading only under
 * the Kommune's own path. No ClusterSecretStore is ever used.
 */
function renderKommuneSecrets(chart: Chart, env: ResolvedEnvironment, k: ResolvedKommune): void {
  const store = env.doc.secretStore;
  if (!store) return;
  const namespace = k.namespace;
  new ApiObject(chart, 'secrets-sa', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SECRET_STORE_SERVICE_ACCOUNT, namespace },
    automountServiceAccountToken: false,
  });
  const { mount } = secretPath(env.doc, k.id);
  new ApiObject(chart, 'secret-store', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: SECRET_STORE_NAME, namespace },
    spec: {
      provider: {
        // OpenBao speaks the Vault API: the operator's vault provider serves both.
        vault: {
          server: store.server,
          path: mount,
          version: 'v2',
          auth: { kubernetes: { mountPath: authMount(env.doc, k.cluster), role: secretRole(env.name, k.id), serviceAccountRef: { name: SECRET_STORE_SERVICE_ACCOUNT } } },
        },
      },
    },
  });
  for (const secret of k.secrets) {
    new ApiObject(chart, `external-secret-${secret.name}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: secret.name, namespace },
      spec: {
        refreshInterval: store.refreshInterval ?? '1h',
        secretStoreRef: { name: SECRET_STORE_NAME, kind: 'SecretStore' },
        target: { name: secret.name, creationPolicy: 'Owner' },
        data: secret.keys.map((key) => ({ secretKey: key, remoteRef: { key: secretPath(env.doc, k.id, secret.name).key, property: key } })),
      },
    });
  }
}

import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { ResolvedEnvironment, ResolvedKommune } from '../model/resolve.js';
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

  return { path: baselinePath(env, k), objects: chart.toJson() as KubeObject[], source: k.file };
}

/**
 * kubernetes-models checks types and required fields but accepts unknown ones, so a typo in a
 * template (`syncPolicies`) would reach Argo CD, which drops it silently. This lists, for the
 * kinds we emit, the fields we may write; `'*'` accepts any map (labels, Helm values).
 */
type Shape = { readonly [key: string]: Shape | readonly [Shape] | '*' | true };

const ANY = '*' as const;
const metadata: Shape = { name: true, namespace: true, labels: ANY, annotations: ANY, finalizers: true };
const labelSelector: Shape = { matchLabels: ANY, matchExpressions: [{ key: true, operator: true, values: true }] };
const peer: Shape = { podSelector: labelSelector, namespaceSelector: labelSelector, ipBlock: { cidr: true, except: true } };
const port: Shape = { port: true, protocol: true, endPort: true };

const applicationSpec: Shape = {
  project: true,
  info: [{ name: true, value: true }],
  source: {
    repoURL: true,
    chart: true,
    path: true,
    targetRevision: true,
    helm: { releaseName: true, values: true, valuesObject: ANY, parameters: ANY },
    directory: { recurse: true, include: true, exclude: true },
  },
  destination: { server: true, name: true, namespace: true },
  syncPolicy: {
    automated: { prune: true, selfHeal: true, allowEmpty: true },
    syncOptions: true,
    retry: { limit: true, backoff: { duration: true, factor: true, maxDuration: true } },
    managedNamespaceMetadata: { labels: ANY, annotations: ANY },
  },
};

const projectSpec: Shape = {
  description: true,
  sourceRepos: true,
  destinations: [{ server: true, name: true, namespace: true }],
  clusterResourceWhitelist: [{ group: true, kind: true }],
  namespaceResourceWhitelist: [{ group: true, kind: true }],
  namespaceResourceBlacklist: [{ group: true, kind: true }],
  roles: [{ name: true, description: true, groups: true, policies: true }],
  // Argo CD 2.14's SyncWindow (no description field before 3.x)
  syncWindows: [{ kind: true, schedule: true, duration: true, applications: true, namespaces: true, clusters: true, manualSync: true, timeZone: true }],
};

const SHAPES: Readonly<Record<string, Shape>> = {
  Namespace: { metadata, spec: { finalizers: true } },
  ResourceQuota: { metadata, spec: { hard: ANY } },
  LimitRange: { metadata, spec: { limits: [{ type: true, default: ANY, defaultRequest: ANY, max: ANY, min: ANY }] } },
  NetworkPolicy: {
    metadata,
    spec: {
      podSelector: labelSelector,
      policyTypes: true,
      ingress: [{ from: [peer], ports: [port] }],
      egress: [{ to: [peer], ports: [port] }],
    },
  },
  ServiceAccount: { metadata, automountServiceAccountToken: true },
  Role: { metadata, rules: [{ apiGroups: true, resources: true, verbs: true, resourceNames: true }] },
  RoleBinding: { metadata, roleRef: { apiGroup: true, kind: true, name: true }, subjects: [{ apiGroup: true, kind: true, name: true, namespace: true }] },
  ConfigMap: { metadata, data: ANY },
  AppProject: { metadata, spec: projectSpec },
  SecretStore: {
    metadata,
    spec: { provider: { vault: { server: true, path: true, version: true, auth: { kubernetes: { mountPath: true, role: true, serviceAccountRef: { name: true } } } } } },
  },
  ExternalSecret: {
    metadata,
    spec: { refreshInterval: true, secretStoreRef: { name: true, kind: true }, target: { name: true, creationPolicy: true }, data: [{ secretKey: true, remoteRef: { key: true, property: true } }] },
  },
  Application: { metadata, spec: applicationSpec },
  ApplicationSet: {
    metadata,
    spec: {
      goTemplate: true,
      goTemplateOptions: true,
      generators: [{ list: { elements: ANY } }],
      strategy: { type: true, rollingSync: { steps: [{ matchExpressions: [{ key: true, operator: true, values: true }], maxUpdate: true }] } },
      syncPolicy: { applicationsSync: true, preserveResourcesOnDeletion: true },
      template: { metadata: { name: true, labels: ANY, annotations: ANY, finalizers: true }, spec: applicationSpec },
    },
  },
};

/** Paths of fields the shape of `object`'s kind does not know, e.g. `spec.template.spec.syncPolicies`. */
export function unknownFields(object: { kind: string } & Record<string, unknown>): string[] {
  const shape = SHAPES[object.kind];
  if (!shape) return [`kind ${object.kind} (not a kind this generator emits)`];
  const out: string[] = [];
  const { apiVersion: _a, kind: _k, ...rest } = object;
  walk(rest, shape, '', out);
  return out;
}

function walk(value: unknown, shape: Shape | readonly [Shape] | '*' | true, at: string, out: string[]): void {
  if (shape === ANY || shape === true || value === null || typeof value !== 'object') return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, shape[0], `${at}[${i}]`, out));
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childShape = (shape as Shape)[key];
    const where = at ? `${at}.${key}` : key;
    if (childShape === undefined) out.push(where);
    else walk(child, childShape, where, out);
  }
}

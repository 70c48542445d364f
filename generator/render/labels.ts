/** Label and annotation keys the generator sets; the Argo CD UI filters on the labels. */
export const LABEL_PREFIX = 'ozg-cloud.example';

export const LABELS = {
  env: `${LABEL_PREFIX}/env`,
  kommune: `${LABEL_PREFIX}/kommune`,
  land: `${LABEL_PREFIX}/land`,
  ags: `${LABEL_PREFIX}/ags`,
  app: `${LABEL_PREFIX}/app`,
  layer: `${LABEL_PREFIX}/layer`,
  wave: `${LABEL_PREFIX}/wave`,
  cluster: `${LABEL_PREFIX}/cluster`,
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const MANAGED_BY = 'ozg-gitops';

/** The label selector of every Argo CD Application ozg-gitops generates for an environment. */
export function applicationSelector(env: string): string {
  return `${LABELS.env}=${env},${LABELS.managedBy}=${MANAGED_BY}`;
}

export type Layer = 'cluster' | 'baseline' | 'apps' | 'bootstrap';

/** Kind order inside a multi-document file: what must exist first comes first. */
export const KIND_ORDER = [
  'Namespace',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'SecretStore',
  'ExternalSecret',
  'AppProject',
  'Application',
  'ApplicationSet',
] as const;

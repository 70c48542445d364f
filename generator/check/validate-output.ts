// One module per kind, not the API groups' indexes: the indexes load every kind's schema, which
// took most of a second of each run's start.
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import type { Diagnostic } from '../diagnostics.js';
import type { RenderedFile, KubeObject } from '../render/serialize.js';
import { unknownFields } from './known-fields.js';

type Model = { prototype: { validate(this: unknown): void } };

/** The Kubernetes 1.33 and Argo CD schemas, by apiVersion and kind. */
const MODELS: Readonly<Record<string, Model>> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/ResourceQuota': ResourceQuota as unknown as Model,
  'v1/LimitRange': LimitRange as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as Model,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as Model,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as Model,
  'argoproj.io/v1alpha1/AppProject': AppProject as unknown as Model,
  'argoproj.io/v1alpha1/Application': Application as unknown as Model,
  'argoproj.io/v1alpha1/ApplicationSet': ApplicationSet as unknown as Model,
  // The External Secrets Operator's own schema for external-secrets.io/v1 (its current releases).
  'external-secrets.io/v1/SecretStore': SecretStore as unknown as Model,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret as unknown as Model,
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Schema, unknown-field and name checks of every object in a rendered file. */
export function validateRenderedFile(file: RenderedFile, tree: string, options: { names?: boolean } = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: string, message: string, hint: string) =>
    out.push({ code, severity: 'error', message: `${tree}/${file.path}: ${message}`, file: file.source, line: 1, col: 1, hint });
  for (const object of file.objects) {
    const id = `${object.kind} ${object.metadata?.name ?? '(no name)'}`;
    if (object.kind === 'Secret') {
      report('E_OUTPUT_SECRET', `${id}: the generator never writes Secrets`, 'reference secrets from the secret store (ExternalSecret, vault path) instead');
      continue;
    }
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!Model) {
      report('E_OUTPUT_KIND', `${id}: ${object.apiVersion} ${object.kind} is not a kind this generator emits`, 'this is a bug in a render module');
      continue;
    }
    try {
      // The models' validate runs their compiled schema on `this`: call it on the object itself
      // rather than on a copy (constructing a model deep-copies, a third of the time at scale).
      Model.prototype.validate.call(object);
    } catch (error) {
      report('E_OUTPUT_SCHEMA', `${id} does not match its schema: ${(error as Error).message}`, 'check the input values that feed this object');
    }
    for (const field of unknownFields(object as KubeObject & { kind: string })) {
      report('E_OUTPUT_UNKNOWN_FIELD', `${id}: unknown field ${field}`, 'Argo CD and Kubernetes drop unknown fields silently; fix the render module');
    }
    if (options.names !== false) out.push(...checkNames(object, file, tree));
  }
  return out;
}

/** Name, namespace and label checks: the part of the output checks that depends on a Kommune's own values. */
export function checkNames(object: Pick<KubeObject, 'kind' | 'metadata'>, file: Pick<RenderedFile, 'path' | 'source'>, tree: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (message: string, hint: string) =>
    out.push({ code: 'E_OUTPUT_NAME', severity: 'error', message: `${tree}/${file.path}: ${object.kind} ${object.metadata.name}: ${message}`, file: file.source, line: 1, col: 1, hint });
  const name = object.metadata.name;
  if (!name) report('has no metadata.name', 'every object needs an explicit name');
  else if (object.kind === 'Namespace' ? !DNS_LABEL.test(name) || name.length > 63 : !DNS_SUBDOMAIN.test(name) || name.length > 253) {
    report(`name is not a valid Kubernetes name (${name.length} characters)`, 'lowercase letters, digits and hyphens; at most 63 characters for namespaces');
  }
  const namespace = object.metadata.namespace;
  if (namespace !== undefined && (!DNS_LABEL.test(namespace) || namespace.length > 63)) report(`namespace ${namespace} is not a valid namespace name`, 'at most 63 lowercase letters, digits and hyphens');
  const labels = (object.metadata.labels ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(labels)) {
    if (value.includes('{{')) continue; // template labels are checked per generated Application
    if (value.length > 63 || !LABEL_VALUE.test(value)) report(`label ${key}=${value} is not a valid label value`, 'at most 63 characters: letters, digits, -, _ and .');
  }
  return out;
}

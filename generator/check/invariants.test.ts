import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directorySource } from '../load/input-source.js';
import type { ResolvedFleet } from '../model/resolve.js';
import { loadFleet } from '../pipeline.js';
import { renderFleet } from '../render/render-fleet.js';
import type { KubeObject, RenderedFile } from '../render/serialize.js';
import type { Diagnostic } from '../diagnostics.js';
import { checkFleetInvariants, checkKommuneInvariants } from './invariants.js';
import { validateRenderedFile } from './validate-output.js';

const SMALL = path.resolve(import.meta.dirname, '../../test/fixtures/small-fleet/input');

async function rendered(): Promise<{ fleet: ResolvedFleet; dist: RenderedFile[] }> {
  const { fleet } = await loadFleet(directorySource(SMALL), '2026-11-27');
  return { fleet: fleet!, dist: renderFleet(fleet!).dist as RenderedFile[] };
}

/** A deep copy of the rendered tree with one object changed by `change`. */
function tamper(dist: RenderedFile[], pathPart: string, kind: string, change: (o: Record<string, any>) => void): RenderedFile[] {
  return dist.map((file) => {
    if (!file.path.includes(pathPart)) return file;
    const objects = structuredClone(file.objects) as KubeObject[];
    const target = objects.find((o) => o.kind === kind);
    if (!target) throw new Error(`no ${kind} in ${file.path}`);
    change(target as Record<string, any>);
    return { ...file, objects };
  });
}

/** Both halves of the invariants, as generate runs them: per Kommune, then on the shared files. */
function checkInvariants(fleet: ResolvedFleet, dist: RenderedFile[]): Diagnostic[] {
  const own = (f: RenderedFile) => /\/kommunen\/[^/]+\/baseline\.yaml$|\/projects\/kommunen\/[^/]+\.yaml$/.test(f.path);
  const out = checkFleetInvariants(fleet, dist.filter((f) => !own(f)));
  for (const env of fleet.environments) {
    for (const k of env.kommunen) {
      const files = dist.filter((f) => f.path === `${env.name}/kommunen/${k.id}/baseline.yaml` || (f.path.startsWith(`${env.name}/`) && f.path.endsWith(`/projects/kommunen/${k.id}.yaml`)));
      out.push(...checkKommuneInvariants(env, k, files));
    }
  }
  return out;
}

const codes = (fleet: ResolvedFleet, dist: RenderedFile[]) => checkInvariants(fleet, dist).map((d) => d.code);

describe('output invariants', () => {
  it('hold for the untouched small fleet', async () => {
    const { fleet, dist } = await rendered();
    expect(checkInvariants(fleet, dist)).toEqual([]);
  });

  it('a wave missing from RollingSync leaves its Applications unsynced', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'prod-sh-2/vorgang-manager', 'ApplicationSet', (o) => {
      o.spec.strategy.rollingSync.steps = o.spec.strategy.rollingSync.steps.filter((s: any) => s.matchExpressions[0].values[0] !== 'canary');
    });
    const found = checkInvariants(fleet, broken);
    expect(found.map((d) => d.code)).toEqual(['E_ROLLOUT_COVERAGE']);
    expect(found[0]!.file).toBe('tenants/sh/sh-kiel.yaml');
    expect(found[0]!.message).toContain('matched by 0 RollingSync steps (wave canary)');
  });

  it('a wave in two steps would be synced twice', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'prod-sh-1/alfa', 'ApplicationSet', (o) => {
      o.spec.strategy.rollingSync.steps.at(-1).matchExpressions[0].values.push('canary');
    });
    expect(codes(fleet, broken)).toEqual(['E_ROLLOUT_COVERAGE']);
  });

  it('an automated sync policy in a template bypasses the waves', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'prod-sh-1/alfa', 'ApplicationSet', (o) => {
      o.spec.template.spec.syncPolicy.automated = { prune: true };
    });
    expect(codes(fleet, broken)).toEqual(['E_ROLLOUT_AUTOSYNC']);
  });

  it('an ApplicationSet that may delete what its Applications deployed', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'prod-sh-1/alfa', 'ApplicationSet', (o) => {
      o.spec.syncPolicy.preserveResourcesOnDeletion = false;
    });
    expect(codes(fleet, broken)).toEqual(['E_MASS_DELETE']);
  });

  it('a Kommune project reaching another namespace, a foreign repository or cluster-wide kinds', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'projects/kommunen/sh-husum', 'AppProject', (o) => {
      o.spec.destinations.push({ server: o.spec.destinations[0].server, namespace: 'sh-kiel' });
      o.spec.sourceRepos.push('https://evil.example/charts');
      o.spec.clusterResourceWhitelist = [{ group: '*', kind: '*' }];
    });
    const found = checkInvariants(fleet, broken).filter((d) => d.code === 'E_ISOLATION_PROJECT');
    const messages = found.map((d) => d.message);
    expect(found).toHaveLength(6); // in test and in prod
    expect(messages.filter((m) => m.includes('are not exactly sh-husum on https://'))).toHaveLength(2);
    expect(messages.filter((m) => m.includes('source repository https://evil.example/charts is not in the catalogue'))).toHaveLength(2);
    expect(messages.filter((m) => m.endsWith('allows cluster-scoped resources'))).toHaveLength(2);
  });

  it('a namespace without default-deny or without Pod Security restricted', async () => {
    const { fleet, dist } = await rendered();
    const noDeny = dist.map((f) => (f.path === 'prod/kommunen/sh-preetz/baseline.yaml' ? { ...f, objects: f.objects.filter((o) => o.metadata.name !== 'default-deny') } : f));
    expect(codes(fleet, noDeny)).toEqual(['E_ISOLATION_BASELINE']);
    const privileged = tamper(dist, 'prod/kommunen/sh-preetz/', 'Namespace', (o) => {
      o.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged';
    });
    expect(codes(fleet, privileged)).toEqual(['E_ISOLATION_BASELINE']);
  });

  it('a credential in rendered Helm values', async () => {
    const { fleet, dist } = await rendered();
    const broken = tamper(dist, 'prod-sh-2/vorgang-manager', 'ApplicationSet', (o) => {
      o.spec.generators[0].list.elements[0].values.mongodb.password = 'Sommer2026!';
    });
    expect(codes(fleet, broken)).toEqual(['E_OUTPUT_CREDENTIAL']);
  });

  it('a Kommune\'s secrets: another namespace\'s store, a ClusterSecretStore, another Kommune\'s path, another role, a project that lets apps create stores', async () => {
    const { fleet, dist } = await rendered();
    const otherStore = tamper(dist, 'prod/kommunen/sh-preetz/', 'ExternalSecret', (o) => {
      o.spec.secretStoreRef = { name: 'vault', kind: 'ClusterSecretStore' };
    });
    expect(codes(fleet, otherStore)).toEqual(['E_ISOLATION_SECRETS']);
    const otherPath = tamper(dist, 'prod/kommunen/sh-preetz/', 'ExternalSecret', (o) => {
      o.spec.data[0].remoteRef.key = 'prod/sh-kiel/vorgang-manager-mongodb';
    });
    expect(checkInvariants(fleet, otherPath).map((d) => d.message)).toEqual(['prod/kommunen/sh-preetz/baseline.yaml: ExternalSecret vorgang-manager-mongodb reads prod/sh-kiel/vorgang-manager-mongodb, outside the Kommune\'s path prod/sh-preetz/']);
    const climbing = tamper(dist, 'prod/kommunen/sh-preetz/', 'ExternalSecret', (o) => {
      o.spec.data[0].remoteRef.key = 'prod/sh-preetz/../sh-kiel/vorgang-manager-mongodb';
    });
    expect(codes(fleet, climbing)).toEqual(['E_ISOLATION_SECRETS']);
    const otherRole = tamper(dist, 'prod/kommunen/sh-preetz/', 'SecretStore', (o) => {
      o.spec.provider.vault.auth.kubernetes.role = 'prod-sh-kiel';
    });
    expect(codes(fleet, otherRole)).toEqual(['E_ISOLATION_SECRETS']);
    const elsewhere = tamper(dist, 'prod/kommunen/sh-preetz/', 'ExternalSecret', (o) => {
      o.metadata.namespace = 'sh-kiel';
    });
    expect(codes(fleet, elsewhere)).toContain('E_ISOLATION_SECRETS');
    const clusterStore = dist.map((f) => (f.path === 'prod/kommunen/sh-preetz/baseline.yaml' ? { ...f, objects: [...f.objects, { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'all' }, spec: {} } as KubeObject] } : f));
    expect(codes(fleet, clusterStore)).toEqual(['E_ISOLATION_SECRETS']);
    const openProject = tamper(dist, 'prod/argocd/main/projects/kommunen/sh-preetz', 'AppProject', (o) => {
      o.spec.namespaceResourceBlacklist = o.spec.namespaceResourceBlacklist.filter((b: { kind: string }) => b.kind !== 'SecretStore');
    });
    expect(codes(fleet, openProject)).toEqual(['E_ISOLATION_PROJECT']);
  });
});

describe('output validation', () => {
  const file = (objects: object[]): RenderedFile => ({ path: 'x.yaml', objects: objects as KubeObject[], source: 'tenants/sh/sh-kiel.yaml' });

  it('refuses a Secret', () => {
    expect(validateRenderedFile(file([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'x' } }]), 'dist').map((d) => d.code)).toEqual(['E_OUTPUT_SECRET']);
  });

  it('refuses a field the schema has but with the wrong type', () => {
    const found = validateRenderedFile(file([{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'a' }, spec: { hard: 'lots' } }]), 'dist');
    expect(found.map((d) => d.code)).toEqual(['E_OUTPUT_SCHEMA']);
  });

  it('refuses an unknown field that the schemas would let through', () => {
    const found = validateRenderedFile(file([{ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p', namespace: 'argocd' }, spec: { sourceRepo: ['x'] } }]), 'dist');
    expect(found.map((d) => [d.code, d.message])).toEqual([['E_OUTPUT_UNKNOWN_FIELD', 'dist/x.yaml: AppProject p: unknown field spec.sourceRepo']]);
  });

  it('refuses names Kubernetes would reject', () => {
    const found = validateRenderedFile(file([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `sh-${'x'.repeat(61)}` } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Kiel', namespace: 'a' } }]), 'dist');
    expect(found.map((d) => d.code)).toEqual(['E_OUTPUT_NAME', 'E_OUTPUT_NAME']);
  });
});

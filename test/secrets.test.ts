import { readdirSync } from 'node:fs';
import path from 'node:path';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { validateRenderedFile } from '../generator/check/validate-output.js';
import { cli, copyFleet, edit, read, SAMPLE_FLEET, snapshotTree } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, any> };
const objects = (root: string, file: string) => loadAll(read(root, file)) as Obj[];

describe('secrets through the External Secrets Operator, per Kommune', () => {
  it('the sample fleet renders the operator add-on, a SecretStore per Kommune and environment, and the ExternalSecrets its apps read', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    expect((await cli('generate', '--root', root)).code).toBe(0);
    // the operator on vm and managed clusters, pinned like every add-on
    for (const cluster of ['prod-sh-1', 'prod-sh-2']) {
      const addon = objects(root, `dist/prod/argocd/main/addons/${cluster}.yaml`).find((o) => o.metadata.name.endsWith('external-secrets'))!;
      expect(addon.spec.source).toMatchObject({ repoURL: 'https://charts.external-secrets.io', chart: 'external-secrets', targetRevision: '0.19.2' });
    }
    const kiel = objects(root, 'dist/prod/kommunen/sh-kiel/baseline.yaml');
    const store = kiel.find((o) => o.kind === 'SecretStore')!;
    expect(store).toMatchObject({ apiVersion: 'external-secrets.io/v1', metadata: { name: 'kommune-secrets', namespace: 'sh-kiel' } });
    expect(store.spec.provider.vault).toEqual({ server: 'https://vault.ozg-cloud.example:8200', path: 'ozg', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes-prod-sh-2', role: 'prod-sh-kiel', serviceAccountRef: { name: 'external-secrets' } } } });
    const es = kiel.find((o) => o.kind === 'ExternalSecret')!;
    expect(es.metadata).toMatchObject({ name: 'vorgang-manager-mongodb', namespace: 'sh-kiel' });
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'kommune-secrets', kind: 'SecretStore' },
      target: { name: 'vorgang-manager-mongodb', creationPolicy: 'Owner' },
      data: [
        { secretKey: 'password', remoteRef: { key: 'prod/sh-kiel/vorgang-manager-mongodb', property: 'password' } },
        { secretKey: 'username', remoteRef: { key: 'prod/sh-kiel/vorgang-manager-mongodb', property: 'username' } },
      ],
    });
    // Kiel's existingSecret: vorgang-manager-mongodb resolves to the secret the operator creates
    expect(read(root, 'tenants/sh/sh-kiel.yaml')).toContain('existingSecret: vorgang-manager-mongodb');
    // every Kommune in every environment with a store has one
    for (const env of ['dev', 'test', 'prod']) {
      const baselines = [...snapshotTree(path.join(root, `dist/${env}/kommunen`)).keys()];
      expect(baselines.length).toBeGreaterThan(0);
      for (const b of baselines) expect(objects(root, `dist/${env}/kommunen/${b}`).filter((o) => o.kind === 'SecretStore'), `${env}/${b}`).toHaveLength(1);
    }
  });

  it('the objects are checked against the operator\'s own schema (external-secrets.io/v1)', () => {
    const es = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'x', namespace: 'sh-kiel' }, spec: { refreshInterval: 3600, secretStoreRef: { name: 'kommune-secrets', kind: 'SecretStore' }, target: { name: 'x' }, data: [] } };
    const found = validateRenderedFile({ path: 'prod/kommunen/sh-kiel/baseline.yaml', source: 'tenants/sh/sh-kiel.yaml', objects: [es] }, 'dist');
    expect(found.map((d) => d.code)).toEqual(['E_OUTPUT_SCHEMA']);
    expect(found[0]!.message).toContain('refreshInterval must be string');
  });

  it('renders what the secret backend must know: per Kommune its role, ServiceAccount, namespace, cluster, path prefix and policy', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    expect((await cli('generate', '--root', root)).code).toBe(0);
    // One file per cluster, each for that cluster's auth mount; together every Kommune of the environment.
    const files = readdirSync(path.join(root, 'dist/prod/secret-backend')).sort();
    expect(files).toEqual(['prod-sh-1.json', 'prod-sh-2.json']);
    const perCluster = files.map((f) => JSON.parse(read(root, `dist/prod/secret-backend/${f}`)) as { cluster: string; authMount: string; roles: Record<string, any>[]; policies: Record<string, { path: Record<string, { capabilities: string[] }> }> });
    for (const file of perCluster) {
      expect(file.authMount).toBe(`kubernetes-${file.cluster}`);
      for (const role of file.roles) expect(role).toMatchObject({ cluster: file.cluster, authMount: file.authMount });
    }
    const backend = { roles: perCluster.flatMap((f) => f.roles), policies: Object.assign({}, ...perCluster.map((f) => f.policies)) as Record<string, { path: Record<string, { capabilities: string[] }> }> };
    expect(backend.roles).toHaveLength(22);
    const kiel = backend.roles.find((r) => r.kommune === 'sh-kiel')!;
    expect(kiel).toMatchObject({ role: 'prod-sh-kiel', cluster: 'prod-sh-2', authMount: 'kubernetes-prod-sh-2', namespace: 'sh-kiel', serviceAccount: 'external-secrets', mount: 'ozg', pathPrefix: 'prod/sh-kiel/', policy: 'ozg-prod-sh-kiel' });
    expect(kiel.vaultRole).toEqual({ bound_service_account_names: ['external-secrets'], bound_service_account_namespaces: ['sh-kiel'], token_policies: ['ozg-prod-sh-kiel'], token_ttl: '1h' });
    expect(backend.policies['ozg-prod-sh-kiel']).toEqual({ path: { 'ozg/data/prod/sh-kiel/*': { capabilities: ['read'] }, 'ozg/metadata/prod/sh-kiel/*': { capabilities: ['read', 'list'] } } });
    // the policy covers exactly what the Kommune's ExternalSecrets read, and no other Kommune's paths
    for (const role of backend.roles) {
      const externalSecrets = objects(root, `dist/prod/kommunen/${role.kommune}/baseline.yaml`).filter((o) => o.kind === 'ExternalSecret');
      for (const es of externalSecrets) for (const d of es.spec.data) expect(d.remoteRef.key.startsWith(role.pathPrefix), `${role.kommune}: ${d.remoteRef.key}`).toBe(true);
      for (const other of backend.roles.filter((r) => r !== role)) expect(other.pathPrefix.startsWith(role.pathPrefix)).toBe(false);
    }
  });

  it('validate: an existingSecret the app does not declare, and a Kommune key list that leaves out a key the app reads', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    edit(root, 'tenants/sh/sh-kiel.yaml', (t) => t.replace('existingSecret: vorgang-manager-mongodb', 'existingSecret: vorgang-manager-mongo') + 'secrets:\n  vorgang-manager-mongodb: [username, tls-ca]\n');
    const run = await cli('validate', '--root', root);
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    expect(lines).toContain('tenants/sh/sh-kiel.yaml:17:23: error E_SECRET_REFERENCE: values.vorgang-manager.mongodb.existingSecret names the secret vorgang-manager-mongo, which vorgang-manager does not declare in environments/prod.yaml (hint: did you mean "vorgang-manager-mongodb"?)');
    expect(lines.some((l) => l.includes('error E_SECRET_KEYS: secrets.vorgang-manager-mongodb leaves out password, which vorgang-manager reads (hint: list every key: password, tls-ca, username)'))).toBe(true);
  });

  it('a Kommune may add keys; plan lists the secrets that appear', async () => {
    const { dir, git } = await gitRepo({ from: SAMPLE_FLEET });
    edit(dir, 'tenants/sh/sh-kiel.yaml', (t) => `${t}secrets:\n  vorgang-manager-mongodb: [password, tls-ca, username]\n`);
    expect((await cli('generate', '--root', dir)).code).toBe(0);
    const es = objects(dir, 'dist/prod/kommunen/sh-kiel/baseline.yaml').find((o) => o.kind === 'ExternalSecret')!;
    expect(es.spec.data.map((d: { secretKey: string }) => d.secretKey)).toEqual(['password', 'tls-ca', 'username']);
    await git.add('.');
    await git.commit('keys');
    expect((await cli('tenant', 'add', '--root', dir, '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod')).code).toBe(0);
    const plan = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(plan.stdout).toContain('  secrets added: sh-appen/vorgang-manager-mongodb; write them to the secret store and apply the roles and policies in dist/prod/secret-backend/ before merging, or their apps wait for them');
  });

  it('no Kommune project lets its apps create SecretStores or ExternalSecrets; the baseline project may', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    expect((await cli('generate', '--root', root)).code).toBe(0);
    const project = objects(root, 'dist/prod/argocd/main/projects/kommunen/sh-kiel.yaml')[0]!;
    for (const kind of ['SecretStore', 'ExternalSecret', 'PushSecret']) expect(project.spec.namespaceResourceBlacklist).toContainEqual({ group: 'external-secrets.io', kind });
    expect(project.spec.clusterResourceWhitelist).toEqual([]);
    const baseline = (loadAll(read(root, 'dist/prod/argocd/main/projects/platform.yaml')) as Obj[]).find((o) => o.metadata.name === 'prod-baseline')!;
    expect(baseline.spec.namespaceResourceWhitelist).toContainEqual({ group: 'external-secrets.io', kind: 'SecretStore' });
    expect(load(read(root, 'tenants/sh/sh-kiel.yaml'))).toBeDefined();
  });
});

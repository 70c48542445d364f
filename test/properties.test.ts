import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderChecked } from '../generator/check/render-checked.js';
import { SH_KREISE } from '../generator/domain/laender.js';
import { loadFleet } from '../generator/pipeline.js';
import type { KubeObject } from '../generator/render/serialize.js';
import { read, PROJECT_ROOT } from './helpers/fleet.js';
import { memorySource } from './helpers/memory-source.js';
import path from 'node:path';

/** Runs per property; CI uses the default, FC_RUNS=5000 npm test for a long soak. */
const RUNS = Number(process.env.FC_RUNS ?? 300);
/** Long soaks need more than the default minute. */
const TIMEOUT = Math.max(60_000, RUNS * 150);
const TODAY = '2026-11-27';
const SMALL = path.join(PROJECT_ROOT, 'test/fixtures/small-fleet/input');
const BASE_ENV = parse(read(SMALL, 'environments/test.yaml')) as Record<string, any>;
const APPS = Object.keys(BASE_ENV.apps as object);
const LAENDER = { sh: '01', ni: '03', by: '09', he: '06' } as const;
type Land = keyof typeof LAENDER;

/** A random but valid fleet: clusters serving random Länder, waves, Kommunen placed on them. */
const fleetArbitrary = fc
  .record({
    clusters: fc.uniqueArray(fc.subarray(Object.keys(LAENDER) as Land[], { minLength: 1 }), { minLength: 1, maxLength: 3 }),
    waves: fc.uniqueArray(fc.constantFrom('canary', 'early', 'main', 'late'), { minLength: 1, maxLength: 4 }),
    kommunen: fc.uniqueArray(
      fc.record({
        slug: fc.stringMatching(/^[a-z][a-z0-9]{0,14}$/),
        landIndex: fc.nat(),
        kreisIndex: fc.nat(),
        gemeinde: fc.integer({ min: 1, max: 999 }),
        apps: fc.option(fc.subarray(APPS), { nil: undefined }),
        waveIndex: fc.nat(),
        size: fc.constantFrom('s', 'm', 'l'),
        clusterIndex: fc.option(fc.nat(), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 8, selector: (k) => k.slug },
    ),
  })
  .map(({ clusters, waves, kommunen }) => {
    const served = [...new Set(clusters.flat())] as Land[];
    const env = {
      ...BASE_ENV,
      clusters: clusters.map((laender, i) => ({ name: `test-c${i}`, server: `https://c${i}.k8s.example:6443`, laender, entryLevel: (['vm', 'managed', 'platform'] as const)[i % 3] })),
      rollout: { ...BASE_ENV.rollout, waves: waves.map((name, i) => ({ name, maxUpdate: i === 0 ? 1 : `${25 * (1 + (i % 4))}%` })) },
      defaults: { ...BASE_ENV.defaults, wave: waves[waves.length - 1] },
    };
    const usedAgs = new Set<string>();
    const tenants = kommunen.map((k) => {
      const land = served[k.landIndex % served.length]!;
      const kreis = land === 'sh' ? Object.keys(SH_KREISE)[k.kreisIndex % 15]! : `${LAENDER[land]}${String(100 + (k.kreisIndex % 800)).padStart(3, '0')}`;
      let ags = `${kreis}${String(k.gemeinde).padStart(3, '0')}`;
      while (usedAgs.has(ags)) ags = `${kreis}${String((Number(ags.slice(5)) % 999) + 1).padStart(3, '0')}`;
      usedAgs.add(ags);
      const placements = env.clusters.filter((c) => c.laender.includes(land));
      const doc: Record<string, unknown> = { id: `${land}-${k.slug}`, name: `Gemeinde ${k.slug}`, ags, environments: ['test'], wave: waves[k.waveIndex % waves.length], size: k.size };
      if (k.apps) doc.apps = k.apps;
      if (k.clusterIndex !== undefined) doc.cluster = { test: placements[k.clusterIndex % placements.length]!.name };
      return doc;
    });
    return { env, tenants };
  });

function filesOf(fleet: { env: object; tenants: Record<string, unknown>[] }): Map<string, string> {
  const files = new Map<string, string>([['environments/test.yaml', stringify(fleet.env)]]);
  for (const t of fleet.tenants) files.set(`tenants/${String(t.id).slice(0, 2)}/${String(t.id)}.yaml`, stringify(t));
  return files;
}

describe('isolation holds over random fleets', () => {
  it(`every Kommune is confined to its own namespace on its own cluster (${RUNS} fleets)`, async () => {
    await fc.assert(
      fc.asyncProperty(fleetArbitrary, async (fleetInput) => {
        const { fleet, diagnostics } = await loadFleet(memorySource(filesOf(fleetInput)), TODAY);
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const rendered = await renderChecked(fleet!, diagnostics);
        expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const env = fleet!.environments[0]!;
        const objects = [...rendered.dist!].flatMap(([file, text]) => text.split(/^---\n/m).map((doc) => ({ file, o: parse(doc) as KubeObject })));
        const namespaces = new Set<string>();
        const hostnames = new Set<string>();
        for (const k of env.kommunen) {
          const server = env.clusters.find((c) => c.name === k.cluster)!.server;
          const project = objects.find(({ o }) => o.kind === 'AppProject' && o.metadata.name === `test-${k.id}`)!.o.spec as any;
          expect(project.destinations).toEqual([{ namespace: k.id, server }]);
          expect(project.clusterResourceWhitelist ?? []).toEqual([]);
          for (const repo of project.sourceRepos) expect(Object.values(BASE_ENV.apps).map((a: any) => a.repoURL)).toContain(repo);
          const baseline = objects.filter(({ file }) => file === `test/kommunen/${k.id}/baseline.yaml`).map(({ o }) => o);
          expect(baseline.find((o) => o.kind === 'Namespace')!.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
          const deny = baseline.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny')!.spec as any;
          expect(deny).toEqual({ podSelector: {}, policyTypes: ['Egress', 'Ingress'] });
          for (const o of baseline) if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(k.id);
          // Secrets: the Kommune's own store, its own Vault role, only its own path; apps may not add stores.
          expect(baseline.some((o) => o.kind === 'ClusterSecretStore')).toBe(false);
          const stores = baseline.filter((o) => o.kind === 'SecretStore');
          expect(stores.map((s) => (s.spec as any).provider.vault.auth.kubernetes.role)).toEqual([`test-${k.id}`]);
          const externalSecrets = baseline.filter((o) => o.kind === 'ExternalSecret');
          expect(externalSecrets.map((e) => e.metadata.name).sort()).toEqual(k.secrets.map((s) => s.name));
          for (const es of externalSecrets) {
            expect((es.spec as any).secretStoreRef).toEqual({ name: stores[0]!.metadata.name, kind: 'SecretStore' });
            for (const d of (es.spec as any).data) expect(d.remoteRef.key.startsWith(`test/${k.id}/`)).toBe(true);
          }
          expect(project.namespaceResourceBlacklist).toContainEqual({ group: 'external-secrets.io', kind: 'SecretStore' });
          expect(namespaces.has(`${server}/${k.namespace}`)).toBe(false);
          namespaces.add(`${server}/${k.namespace}`);
          expect(hostnames.has(k.hostname)).toBe(false);
          hostnames.add(k.hostname);
        }
        // Every generated Application is in exactly one RollingSync step.
        for (const { o } of objects.filter(({ o }) => o.kind === 'ApplicationSet')) {
          const spec = o.spec as any;
          const steps = spec.strategy.rollingSync.steps as { matchExpressions: { values: string[] }[] }[];
          for (const element of spec.generators[0].list.elements) {
            expect(steps.filter((s) => s.matchExpressions[0]!.values.includes(element.wave))).toHaveLength(1);
            // Baselines run in the platform's baseline project; apps only in their own Kommune's project.
            const layer = (o.metadata.labels as Record<string, string>)['ozg-cloud.example/layer'];
            const project = String(spec.template.spec.project).replaceAll('{{ .kommune }}', element.kommune);
            expect(project).toBe(layer === 'baseline' ? 'test-baseline' : `test-${element.kommune}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});

describe('fuzzing the loader', () => {
  const valid = read(SMALL, 'tenants/sh/sh-kiel.yaml');
  const env = read(SMALL, 'environments/test.yaml');
  const base = new Map<string, string | Uint8Array>([['environments/test.yaml', env], ['environments/prod.yaml', read(SMALL, 'environments/prod.yaml')]]);

  /**
   * What generate would answer: never an exception (exit 70); errors always carry a position; a
   * refusal always names at least one error and an acceptance none. Tallies both outcomes.
   */
  const outcomes = { valid: 0, invalid: 0 };
  async function answer(file: string, content: string | Uint8Array): Promise<void> {
    const code = await render(file, content);
    outcomes[code === 0 ? 'valid' : 'invalid']++;
  }
  async function render(file: string, content: string | Uint8Array): Promise<0 | 1> {
    const files = new Map(base).set(file, content);
    const { fleet, diagnostics } = await loadFleet(memorySource(files), TODAY);
    for (const d of diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
      expect(d.hint ?? '').not.toBe('');
    }
    if (!fleet) {
      expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
      return 1;
    }
    const rendered = await renderChecked(fleet, diagnostics);
    expect(rendered.dist !== undefined).toBe(!rendered.diagnostics.some((d) => d.severity === 'error'));
    return rendered.dist ? 0 : 1;
  }

  it(`random mutations of a valid Kommune file (${RUNS} runs)`, async () => {
    const mutation = fc.oneof(
      fc.record({ at: fc.nat(valid.length), insert: fc.string({ maxLength: 12 }) }).map(({ at, insert }) => valid.slice(0, at) + insert + valid.slice(at)),
      fc.record({ at: fc.nat(valid.length), len: fc.nat(20) }).map(({ at, len }) => valid.slice(0, at) + valid.slice(at + len)),
      fc.record({ at: fc.nat(valid.length), ch: fc.constantFrom(':', '-', '[', ']', '{', '}', '&', '*', '!', '|', '>', '"', "'", '\t', '\n', '#', '%', '@', '`') }).map(({ at, ch }) => valid.slice(0, at) + ch + valid.slice(at + 1)),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.concat([Buffer.from(valid), Buffer.from(bytes)])),
    );
    outcomes.valid = outcomes.invalid = 0;
    await fc.assert(fc.asyncProperty(mutation, async (content) => answer('tenants/sh/sh-kiel.yaml', content)), { numRuns: RUNS });
    // Both ways out were taken: the mutations reach the render, not only the parser.
    expect(outcomes.valid).toBeGreaterThan(0);
    expect(outcomes.invalid).toBeGreaterThan(0);
  }, TIMEOUT);

  it(`random YAML documents as Kommune and environment files (${RUNS} runs)`, async () => {
    const doc = fc.oneof(fc.jsonValue().map((v) => stringify(v)), fc.string({ maxLength: 200 }), fc.object().map((o) => stringify(o)));
    outcomes.valid = outcomes.invalid = 0;
    await fc.assert(fc.asyncProperty(doc, fc.boolean(), async (content, asEnvironment) => answer(asEnvironment ? 'environments/test.yaml' : 'tenants/sh/sh-kiel.yaml', content)), { numRuns: RUNS });
    expect(outcomes.invalid).toBeGreaterThan(0);
  }, TIMEOUT);
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticFleet } from './helpers/synthetic.js';
import { renderAndCheck } from '../generator/generate.js';
import type { KubeObject } from '../generator/render/serialize.js';
import { cli, copyFleet, PROJECT_ROOT, SAMPLE_FLEET } from './helpers/fleet.js';

const SPRIG = '/usr/share/gocode/src/github.com/Masterminds/sprig';
const hasGo = spawnSync('go', ['version']).status === 0 && existsSync(SPRIG);
if (!hasGo) {
  console.warn('skipping the Argo CD template check: it needs Go and sprig (apt-get install golang-go golang-github-masterminds-sprig-dev; .ci/run installs them)');
}

interface Rendered {
  name: string;
  applications: { name: string; labels: Record<string, string>; spec: { source: { targetRevision?: string; helm?: { values?: string } } } }[];
  steps: string[][];
  unmatched: string[];
  errors: string[];
}

let binary: string;

/** Renders ApplicationSets with Argo CD's template semantics (test/argocd-template/main.go). */
function renderLikeArgoCD(appSets: KubeObject[]): Rendered[] {
  const out = execFileSync(binary, { input: JSON.stringify(appSets), maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' });
  return JSON.parse(out) as Rendered[];
}

async function applicationSets(root: string, envs?: string[]): Promise<KubeObject[]> {
  const rendered = await renderAndCheck({ root, today: '2026-11-27', envs });
  expect(rendered.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return rendered.shared!.flatMap((f) => f.objects).filter((o) => o.kind === 'ApplicationSet');
}

describe.skipIf(!hasGo)('ApplicationSets as Argo CD renders them (Go text/template + sprig, RollingSync step matching)', () => {
  let work: string;
  beforeAll(() => {
    // Not tempDir(): that one is removed after each test, and the binary serves them all.
    work = mkdtempSync(path.join(tmpdir(), 'ozg-go-'));
    binary = path.join(work, 'argocd-template');
    execFileSync('go', ['build', '-o', binary, path.join(PROJECT_ROOT, 'test/argocd-template/main.go')], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: `${work}/gopath:/usr/share/gocode`, GOCACHE: `${work}/cache`, GOFLAGS: '' },
      stdio: 'pipe',
    });
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the sample fleet: every template renders, every Application is in exactly one step, no step is empty, every prod ApplicationSet has a canary', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    const sets = await applicationSets(root);
    const results = renderLikeArgoCD(sets);
    expect(results).toHaveLength(sets.length);
    let applications = 0;
    for (const r of results) {
      expect(r.errors, r.name).toEqual([]);
      expect(r.unmatched, r.name).toEqual([]);
      for (const [i, step] of r.steps.entries()) expect(step.length, `${r.name} step ${i + 1}`).toBeGreaterThan(0);
      applications += r.applications.length;
      for (const app of r.applications) {
        expect(app.name.length, app.name).toBeLessThanOrEqual(63);
        expect(app.name).toBe(`${app.labels['ozg-cloud.example/env']}-${app.labels['ozg-cloud.example/kommune']}-${app.labels['ozg-cloud.example/app']}`);
        const values = app.spec.source.helm?.values;
        if (values !== undefined) expect((JSON.parse(values) as { ozg: { kommune: string } }).ozg.kommune).toBe(app.labels['ozg-cloud.example/kommune']);
      }
    }
    const prod = results.filter((r) => r.applications.some((a) => a.labels['ozg-cloud.example/env'] === 'prod'));
    for (const r of prod) expect(r.applications.filter((a) => a.labels['ozg-cloud.example/wave'] === 'canary').length, r.name).toBeGreaterThan(0);
    expect(applications).toBe(56 + 151 + 151);
  }, 120_000);

  it('a governed exception reaches exactly its Kommune through the template; a halt stops every step', async () => {
    const root = copyFleet(SAMPLE_FLEET);
    expect((await cli('bump', 'vorgang-manager', '2.14.2', '--env', 'prod', '--tenant', 'sh-kiel', '--reason', 'hotfix', '--until', '2026-12-31', '--root', root)).code).toBe(0);
    expect((await cli('halt', '--env', 'prod', '--app', 'alfa', '--reason', 'bad release', '--root', root)).code).toBe(0);
    const results = renderLikeArgoCD(await applicationSets(root, ['prod']));
    const versions = results.flatMap((r) => r.applications).filter((a) => a.labels['ozg-cloud.example/app'] === 'vorgang-manager');
    expect(versions.filter((a) => a.spec.source.targetRevision === '2.14.2').map((a) => a.name)).toEqual(['prod-sh-kiel-vorgang-manager']);
    expect(versions.filter((a) => a.spec.source.targetRevision === '2.14.1')).toHaveLength(versions.length - 1);
    const sets = await applicationSets(root, ['prod']);
    for (const set of sets.filter((s) => s.metadata.name.endsWith('-alfa'))) {
      const steps = (set.spec as { strategy: { rollingSync: { steps: { maxUpdate: unknown }[] } } }).strategy.rollingSync.steps;
      expect(steps.map((s) => s.maxUpdate)).toEqual(steps.map(() => 0));
    }
  }, 120_000);

  it('the synthetic nationwide fleet (10,800 Kommunen): no prod ApplicationSet has an empty step or lacks a canary', async () => {
    const { root } = await syntheticFleet(10_800, 'prod');
    const sets = await applicationSets(root, ['prod']);
    const results = renderLikeArgoCD(sets);
    let applications = 0;
    for (const r of results) {
      expect(r.errors, r.name).toEqual([]);
      expect(r.unmatched, r.name).toEqual([]);
      for (const [i, step] of r.steps.entries()) expect(step.length, `${r.name} step ${i + 1}`).toBeGreaterThan(0);
      expect(r.applications.some((a) => a.labels['ozg-cloud.example/wave'] === 'canary'), r.name).toBe(true);
      applications += r.applications.length;
    }
    expect(applications).toBe(10_800 * 7);
    console.log(`Argo CD template check: ${results.length} prod ApplicationSets, ${applications} Applications`);
  }, 600_000);
});

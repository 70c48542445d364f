import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateRenderedFile } from '../generator/check/validate-output.js';
import type { KubeObject } from '../generator/render/serialize.js';
import { cli, copyFleet, edit, PROJECT_ROOT, SAMPLE_FLEET, snapshotTree, tempDir, write } from './helpers/fleet.js';

const SMALL = path.join(PROJECT_ROOT, 'test/fixtures/small-fleet');

function objectsIn(dir: string): { file: string; objects: KubeObject[] }[] {
  return [...snapshotTree(dir)]
    .filter(([f]) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
    .map(([file, text]) => ({ file, objects: parseAllDocuments(Buffer.from(text, 'latin1').toString('utf8')).map((d) => d.toJS() as KubeObject) }));
}

describe('generate renders the small fleet exactly as the golden files', () => {
  it('matches every golden file and no file is missing or extra', async () => {
    const root = copyFleet(path.join(SMALL, 'input'));
    const run = await cli('generate', '--root', root);
    expect(run.code).toBe(0);
    const rendered = new Map([...snapshotTree(path.join(root, 'dist'))].map(([f, c]) => [`dist/${f}`, c]));
    for (const [f, c] of snapshotTree(path.join(root, 'argocd'))) rendered.set(`argocd/${f}`, c);
    for (const [file, content] of rendered) {
      await expect(Buffer.from(content, 'latin1').toString('utf8')).toMatchFileSnapshot(path.join(SMALL, 'expected', file));
    }
    const expected = [...snapshotTree(path.join(SMALL, 'expected')).keys()].sort();
    expect([...rendered.keys()].sort()).toEqual(expected);
  });
});

describe('determinism', () => {
  it('gives the same bytes in two folders, twice', async () => {
    const a = copyFleet();
    const b = copyFleet();
    expect((await cli('generate', '--root', a)).code).toBe(0);
    expect((await cli('generate', '--root', b)).code).toBe(0);
    const first = snapshotTree(path.join(a, 'dist'));
    expect(first).toEqual(snapshotTree(path.join(b, 'dist')));
    expect(snapshotTree(path.join(a, 'argocd'))).toEqual(snapshotTree(path.join(b, 'argocd')));
    const again = await cli('generate', '--root', a);
    expect(again.stdout).toBe(`generated: 0 written, 0 removed, ${first.size + snapshotTree(path.join(a, 'argocd')).size + snapshotTree(path.join(a, 'schemas')).size} unchanged (inputs and output as the last run left them; nothing rendered)`);
    expect(snapshotTree(path.join(a, 'schemas'))).toEqual(snapshotTree(path.join(b, 'schemas')));
    for (const [file, text] of first) {
      expect(text.endsWith('\n') && !text.endsWith('\n\n'), file).toBe(true);
      expect(text.includes('\r'), file).toBe(false);
      expect(text.includes(a), file).toBe(false);
    }
  });
});

describe('the committed sample fleet', () => {
  it('dist/ and argocd/ are what the committed inputs render to', async () => {
    const run = await cli('generate', '--root', SAMPLE_FLEET, '--check');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('every object in dist/ and argocd/ validates against the Kubernetes and Argo CD schemas', () => {
    let count = 0;
    for (const tree of ['dist', 'argocd']) {
      for (const { file, objects } of objectsIn(path.join(SAMPLE_FLEET, tree))) {
        count += objects.length;
        expect(validateRenderedFile({ path: file, objects, source: file }, tree)).toEqual([]);
      }
    }
    expect(count).toBeGreaterThan(300);
  });

  it('the bootstrap points at folders that exist and hold ApplicationSets', () => {
    const roots = objectsIn(path.join(SAMPLE_FLEET, 'argocd')).flatMap((f) => f.objects).filter((o) => o.kind === 'Application');
    expect(roots.map((r) => r.metadata.name).sort()).toEqual(['dev-root', 'prod-root', 'test-root']);
    for (const root of roots) {
      const source = (root.spec as { source: { path: string } }).source;
      expect(existsSync(path.join(SAMPLE_FLEET, source.path)), source.path).toBe(true);
      expect(objectsIn(path.join(SAMPLE_FLEET, source.path)).some((f) => f.objects.some((o) => o.kind === 'ApplicationSet'))).toBe(true);
    }
  });

  it('a version bump changes one line per ApplicationSet of that app, nowhere else', async () => {
    const root = copyFleet();
    await cli('generate', '--root', root);
    const before = snapshotTree(path.join(root, 'dist'));
    edit(root, 'environments/prod.yaml', (t) => t.replace(/(depName=vorgang-manager\n {4}version: )2\.14\.1/, '$12.15.0'));
    expect((await cli('generate', '--root', root)).code).toBe(0);
    const after = snapshotTree(path.join(root, 'dist'));
    const changed = [...after].filter(([f, c]) => before.get(f) !== c).map(([f]) => f).sort();
    expect(changed).toEqual(['prod/argocd/main/applicationsets/prod-sh-1/vorgang-manager.yaml', 'prod/argocd/main/applicationsets/prod-sh-2/vorgang-manager.yaml']);
    for (const f of changed) {
      const a = before.get(f)!.split('\n');
      const b = after.get(f)!.split('\n');
      expect(b.filter((line, i) => line !== a[i])).toEqual(['        targetRevision: \'{{ dig "versionException" "2.15.0" . }}\'']);
    }
  });
});

describe('generate --check and pruning', () => {
  it('exits 3 and names files that differ or are no longer rendered; generate then repairs both', async () => {
    const root = copyFleet(path.join(SMALL, 'input'));
    await cli('generate', '--root', root);
    const edited = path.join(root, 'dist/prod/kommunen/sh-kiel/baseline.yaml');
    writeFileSync(edited, readFileSync(edited, 'utf8').replace('restricted', 'privileged'));
    write(root, 'dist/prod/kommunen/sh-gone/baseline.yaml', 'kind: Namespace\n');
    const check = await cli('generate', '--root', root, '--check');
    expect(check.code).toBe(3);
    expect(check.stdout.split('\n')).toEqual(['differs: dist/prod/kommunen/sh-kiel/baseline.yaml', 'not rendered any more: dist/prod/kommunen/sh-gone/baseline.yaml']);
    const fix = await cli('generate', '--root', root);
    expect(fix.stdout).toMatch(/^generated: 1 written, 1 removed, \d+ unchanged$/);
    expect(existsSync(path.join(root, 'dist/prod/kommunen/sh-gone'))).toBe(false);
    expect((await cli('generate', '--root', root, '--check')).code).toBe(0);
  });

  it('--env renders one environment and leaves the others as they are', async () => {
    const root = copyFleet(path.join(SMALL, 'input'));
    const run = await cli('generate', '--root', root, '--env', 'test');
    expect(run.code).toBe(0);
    expect(existsSync(path.join(root, 'dist/test/kommunen/sh-kiel/baseline.yaml'))).toBe(true);
    expect(existsSync(path.join(root, 'dist/prod'))).toBe(false);
  });
});

describe('inputs that render invalid objects stop generate and leave dist/ as it was', () => {
  it('a production hostname that is another Kommune\'s test hostname', async () => {
    const root = copyFleet(path.join(SMALL, 'input'));
    await cli('generate', '--root', root);
    const before = snapshotTree(path.join(root, 'dist'));
    edit(root, 'tenants/sh/sh-kiel.yaml', (t) => t.replace('hostname: kiel.ozg-cloud.example', 'hostname: sh-husum.test.ozg-cloud.example'));
    const run = await cli('generate', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('tenants/sh/sh-husum.yaml:1:1: error E_ISOLATION_HOSTNAME: hostname sh-husum.test.ozg-cloud.example is used by prod/sh-kiel and test/sh-husum');
    expect(run.stderr).toContain('nothing was written');
    expect(snapshotTree(path.join(root, 'dist'))).toEqual(before);
  });

  it('more than 1,000 Kommunen on one cluster', async () => {
    const root = tempDir();
    write(root, 'environments/test.yaml', readFileSync(path.join(SMALL, 'input/environments/test.yaml'), 'utf8'));
    for (let i = 0; i < 1001; i++) {
      const n = String(i).padStart(4, '0');
      write(root, `tenants/sh/sh-amt-${n}.yaml`, `id: sh-amt-${n}\nname: Amt ${n}\nags: "01054${String(i).padStart(3, '0').slice(-3)}"\nenvironments: [test]\napps: [alfa]\n`.replace(/ags: "01054(\d{3})"/, (_, d: string) => `ags: "${i < 1000 ? `01054${d}` : '01053999'}"`));
    }
    const run = await cli('generate', '--root', root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error E_APPSET_TOO_LARGE: ApplicationSet test-sh-1-alfa: generates 1001 Applications, the limit is 1000');
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });
});

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { gitRefSource } from '../generator/load/git-source.js';
import { directorySource, type InputSource } from '../generator/load/input-source.js';
import { loadInputs } from '../generator/load/load-inputs.js';
import { parseYamlFile, positionOf } from '../generator/load/yaml-file.js';
import { ParseCache } from '../generator/load/parse-cache.js';
import { loadFleet } from '../generator/pipeline.js';
import { renderChanges } from '../generator/check/render-changes.js';
import { generate } from '../generator/generate.js';
import { planChange, sameEnvironments } from '../generator/plan/plan.js';
import { environmentUnits } from '../generator/render/render-fleet.js';
import { cli, edit, SAMPLE_FLEET, tempDir, write } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';

const bumpVorgangManager = (root: string) => edit(root, 'environments/prod.yaml', (t) => t.replace(/(depName=vorgang-manager\n    version: )2\.14\.1/, '$12.15.0'));

describe('plan against a real git base', () => {
  it('leaves out of its render the environments whose file and Kommune files are the same bytes as at the base', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const same = async () => {
      const cache = ParseCache.open(path.join(tempDir(), 'parse-cache.bin'));
      const [base, head] = [await loadFleet(await gitRefSource(dir, 'HEAD'), '2026-11-28', cache), await loadFleet(directorySource(dir), '2026-11-28', cache)];
      expect(sameEnvironments(base, { ...head, inputKeys: undefined }), 'without the keys of both sides, none').toEqual(new Set());
      return [...sameEnvironments(base, head)].sort();
    };
    expect(await same()).toEqual(['dev', 'prod', 'test']);
    bumpVorgangManager(dir);
    expect(await same()).toEqual(['dev', 'test']);
    // Any Kommune file that differs (here one more) may change every environment.
    write(dir, 'tenants/sh/sh-appen.yaml', 'id: sh-appen\nname: Appen\nags: "01056001"\nenvironments: [prod]\n');
    expect(await same()).toEqual([]);
  });


  it('a base read from git names each file by its blob id, so the files the parse cache holds are never read from git', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const cache = ParseCache.open(path.join(tempDir(), 'parse-cache.bin'));
    const head = await loadFleet(directorySource(dir), '2026-11-28', cache);
    const committed = await gitRefSource(dir, 'HEAD');
    const tenant = 'tenants/sh/sh-kiel.yaml';
    expect(committed.keys!.known(tenant)).toBe(execFileSync('git', ['hash-object', tenant], { cwd: dir, encoding: 'utf8' }).trim());
    expect(committed.keys!.known(tenant)).toBe(ParseCache.key(await committed.read(tenant)));
    // A fresh source, counting what it reads: nothing, with every file in the cache.
    const fresh = await gitRefSource(dir, 'HEAD');
    const reads: string[] = [];
    const counted: InputSource = {
      ...fresh,
      read: (file) => (reads.push(file), fresh.read(file)),
      keys: { known: (file) => fresh.keys!.known(file), readNow: (file) => (reads.push(file), fresh.keys!.readNow(file)) },
    };
    const base = await loadFleet(counted, '2026-11-28', cache);
    expect(reads).toEqual([]);
    expect(base.inputKeys).toEqual(head.inputKeys);
    expect(base.fleet).toEqual(head.fleet);
    // A position inside such a file is read then, and is the one its own parse gives.
    const loaded = await loadInputs(counted, cache);
    const cached = loaded.tenants.find((t) => t.file === tenant)!;
    expect(cached.checked).toBe(true);
    const parsed = parseYamlFile(tenant, await fresh.read(tenant)).yaml!;
    expect(positionOf(cached, ['environments', 1])).toEqual(positionOf(parsed, ['environments', 1]));
    expect(reads).toEqual([tenant]);
  });

  it('a set of inputs validated before gives its diagnostics again without validating, and on another day is validated anew', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    // A halted rollout warns at a position inside the file (read only when a rule reports it),
    // and an exception expires on a given day.
    edit(dir, 'environments/prod.yaml', (t) => `${t.replace(/^rollout:\n/m, 'rollout:\n  halted:\n    reason: bad release\n')}exceptions:\n  - app: vorgang-manager\n    version: 2.14.2\n    tenant: sh-kiel\n    reason: hotfix\n    until: "2027-01-31"\n`);
    execFileSync('git', ['commit', '-qam', 'halt'], { cwd: dir });
    const cache = ParseCache.open(path.join(tempDir(), 'parse-cache.bin'));
    const counting = async () => {
      const source = await gitRefSource(dir, 'HEAD');
      const reads: string[] = [];
      const counted: InputSource = { ...source, read: (file) => (reads.push(file), source.read(file)), keys: { known: (file) => source.keys!.known(file), readNow: (file) => (reads.push(file), source.keys!.readNow(file)) } };
      return { counted, reads };
    };
    const first = await loadFleet((await counting()).counted, '2026-11-28', cache);
    expect(first.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([expect.stringMatching(/^environments\/prod\.yaml:\d+:\d+ W_HALTED$/)]);
    // Every file is in the parse cache now; validating would read prod.yaml for the warning's position.
    const again = await counting();
    const second = await loadFleet(again.counted, '2026-11-28', cache);
    expect(again.reads).toEqual([]);
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(second.fleet).toEqual(first.fleet);
    // The day is part of what was validated: the next day after the exception's end it has expired.
    const later = await counting();
    const expired = await loadFleet(later.counted, '2027-02-01', cache);
    expect(expired.fleet).toBeUndefined();
    expect(expired.diagnostics.map((d) => d.code)).toContain('E_EXCEPTION_EXPIRED');
    expect(later.reads).toContain('environments/prod.yaml');
  });

  it("takes for its head side the shared files the change's generate rendered and checked, and says what a plan of its own says", async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    bumpVorgangManager(dir);
    const parseCache = ParseCache.forRoot(dir, dir);
    const result = await generate({ root: dir, today: '2026-11-28', parseCache, keepRendered: true });
    expect(result.changes?.written.length).toBeGreaterThan(0);
    const prod = result.fleet!.environments.find((e) => e.name === 'prod')!;
    // The same objects the plan cuts from the same model: the bump's ApplicationSets, kept.
    const bumped = environmentUnits(prod, result.inputKeys).filter((u) => u.key.endsWith('/vorgang-manager'));
    expect(bumped.length).toBeGreaterThan(0);
    for (const unit of bumped) expect(result.rendered!.get(unit), unit.key).toBeDefined();
    const renders = bumped.map((unit) => vi.spyOn(unit, 'render'));
    const head = { fleet: result.fleet, diagnostics: result.diagnostics, inputKeys: result.inputKeys };
    const taken = await planChange({ root: dir, base: 'HEAD', today: '2026-11-28', parseCache, head, headRendered: result.rendered });
    expect(renders.every((r) => r.mock.calls.length === 0)).toBe(true);
    const alone = await planChange({ root: dir, base: 'HEAD', today: '2026-11-28', parseCache, head });
    expect(renders.every((r) => r.mock.calls.length === 1)).toBe(true);
    expect(taken.hasChanges).toBe(true);
    expect(taken).toEqual(alone);
  });

  it('knows the ApplicationSets of a pin bump differ by their shape, without digesting their Kommunen', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    bumpVorgangManager(dir);
    const cache = ParseCache.open(path.join(tempDir(), 'parse-cache.bin'));
    const base = await loadFleet(await gitRefSource(dir, 'HEAD'), '2026-11-28', cache);
    const head = await loadFleet(directorySource(dir), '2026-11-28', cache);
    // The objects renderChanges cuts from the same models and keys.
    const bumped = (side: typeof base) => environmentUnits(side.fleet!.environments.find((e) => e.name === 'prod')!, side.inputKeys).filter((u) => u.key.endsWith('/vorgang-manager'));
    const units = [...bumped(base), ...bumped(head)];
    expect(units.length).toBeGreaterThan(1);
    const fingerprints = units.map((unit) => vi.spyOn(unit, 'fingerprint', 'get'));
    const rendered: string[] = [];
    renderChanges(base.fleet!, head.fleet!, {
      inputKeys: { base: base.inputKeys, head: head.inputKeys },
      sameEnvironments: sameEnvironments(base, head),
      onSharedFile: (side, file) => rendered.push(`${side} ${file.path}`),
      onKommune: () => undefined,
    });
    expect(rendered.filter((r) => r.endsWith('/vorgang-manager.yaml'))).toHaveLength(units.length);
    expect(fingerprints.map((f) => f.mock.calls.length)).toEqual(units.map(() => 0));
  });

  it('groups a version bump across the sample fleet into one line, in each format', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    bumpVorgangManager(dir);
    const text = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toContain('prod: 22 Kommunen, 159 Applications (151 of Kommunen, 8 cluster add-ons)');
    expect(lines).toContain('  apps: Applications 22 changed');
    expect(lines).toContain('    22 Kommunen: vorgang-manager 2.14.1 → 2.15.0');
    expect(lines).toContain('dev: 8 Kommunen, 56 Applications (56 of Kommunen, 0 cluster add-ons), unchanged');
    // Unchanged environments get no rollout line; the changed one names the ApplicationSet its counts are of.
    expect(lines.filter((l) => l.startsWith('  rollout:'))).toEqual([
      '  rollout: 16 min at 2 min per step (budget 20 min), paced by the slowest ApplicationSet it touches, prod-sh-1/vorgang-manager, whose Applications per wave are: canary 2 in 1 step · early 2 in 2 steps · main 14 in 5 steps',
    ]);
    // The figures add up: each environment's header equals the sum of its clusters in the capacity section.
    const header = (env: string) => Number(new RegExp(`^${env}: \\d+ Kommunen, (\\d+) Applications`, 'm').exec(text.stdout)![1]);
    const clusters = (env: string) => [...text.stdout.matchAll(new RegExp(`^  cluster ${env}/\\S+: (\\d+) Applications`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    for (const env of ['dev', 'test', 'prod']) expect(clusters(env), env).toBe(header(env));
    expect(lines).toContain(`  instance main: ${header('dev') + header('test') + header('prod')} Applications (limit 10,000)`);

    const markdown = await cli('plan', '--root', dir, '--base', 'HEAD', '--format', 'markdown');
    expect(markdown.stdout).toContain('## prod: 22 Kommunen, 159 Applications (151 of Kommunen, 8 cluster add-ons)\n- apps: Applications 22 changed\n  - 22 Kommunen: vorgang-manager 2.14.1 → 2.15.0');

    const json = JSON.parse((await cli('plan', '--root', dir, '--base', 'HEAD', '--format', 'json')).stdout);
    const prod = json.environments.find((e: { env: string }) => e.env === 'prod');
    expect(prod.layers.find((l: { layer: string }) => l.layer === 'apps')).toMatchObject({ added: 0, changed: 22, removed: 0, groups: [{ description: 'vorgang-manager 2.14.1 → 2.15.0' }] });
    expect(prod.rollout).toMatchObject({ minutes: 16, budgetMinutes: 20, overBudget: false });
    expect(json.hasChanges).toBe(true);

    expect((await cli('plan', '--root', dir, '--base', 'HEAD', '--exit-code')).code).toBe(3);
  });

  it('lists the first 20 warnings and counts the rest; JSON keeps them all', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    // 24 Kommunen named Kiel (the fixture's is "Landeshauptstadt Kiel"): all but the first get a W_SAME_NAME warning, 23.
    for (let i = 1; i <= 24; i++) {
      const ags = `010020${String(i).padStart(2, '0')}`;
      write(dir, `tenants/sh/sh-kiel-${ags}.yaml`, `id: sh-kiel-${ags}\nname: Kiel\nags: "${ags}"\nenvironments: [dev]\n`);
    }
    const text = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(text.code, text.stderr).toBe(0);
    const warnings = text.stdout.slice(text.stdout.indexOf('\nWarnings\n')).split('\n').filter((l) => l.startsWith('  '));
    expect(warnings).toHaveLength(21);
    expect(warnings.slice(0, 20).every((l) => l.includes('warning W_SAME_NAME'))).toBe(true);
    expect(warnings[20]).toBe('  ... and 3 more warnings (ozg-gitops validate lists them all)');
    const markdown = await cli('plan', '--root', dir, '--base', 'HEAD', '--format', 'markdown');
    expect(markdown.stdout).toContain('- ... and 3 more warnings (ozg-gitops validate lists them all)');
    const json = JSON.parse((await cli('plan', '--root', dir, '--base', 'HEAD', '--format', 'json')).stdout) as { warnings: { code: string }[] };
    expect(json.warnings.filter((w) => w.code === 'W_SAME_NAME')).toHaveLength(23);
  });

  it('lists an added Kommune and the outliers of a change that is not the same everywhere', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    expect((await cli('tenant', 'add', '--root', dir, '--ags', '01056001', '--name', 'Gemeinde Appen', '--env', 'test,prod')).code).toBe(0);
    edit(dir, 'environments/prod.yaml', (t) => `${t}exceptions:\n  - app: vorgang-manager\n    version: 2.14.2\n    tenant: sh-kiel\n    reason: hotfix for Kiel's XTA mailbox\n    until: "2027-01-31"\n`);
    const run = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('  Kommunen added: sh-appen');
    expect(lines).toContain('    1 Kommune: alfa 1.12.0 added; info-manager 1.4.2 added; user-manager 2.8.0 added; vorgang-manager 2.14.1 added; xta-adapter 0.9.3 added; zufi-manager 1.6.0 added (sh-appen)');
    expect(lines).toContain('    1 Kommune differs:');
    expect(lines).toContain('      vorgang-manager 2.14.1 → 2.14.2: sh-kiel');
    expect(lines).toContain("  prod: vorgang-manager 2.14.2 for sh-kiel until 2027-01-31: hotfix for Kiel's XTA mailbox");
  });

  it('refuses a Kommune that disappears from prod, then accepts it once marked for decommissioning', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    rmSync(path.join(dir, 'tenants/sh/sh-heide.yaml'));
    const refused = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('tenants/sh/sh-heide.yaml:1:1: error E_REMOVAL_GUARD: Kommune sh-heide would disappear from prod (7 Applications');
    // generate refuses too, and leaves dist/ alone
    const generate = await cli('generate', '--root', dir);
    expect(generate.code).toBe(1);
    expect(generate.stderr).toContain('E_REMOVAL_GUARD');

    const { dir: again } = await gitRepo({ from: SAMPLE_FLEET });
    edit(again, 'tenants/sh/sh-heide.yaml', (t) => t.replace('environments: [test, prod]', 'environments: [test]') + 'decommission: {reason: "merged into Amt Heider Umland", ticket: OZG-1234}\n');
    const accepted = await cli('plan', '--root', again, '--base', 'HEAD');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('  Kommunen removed: sh-heide (decommissioned: merged into Amt Heider Umland); namespaces and volumes stay (Argo CD deletes nothing: create-update, preserveResourcesOnDeletion)');
    expect(accepted.stdout).toContain('ok: removals allowed because the Kommune files mark them for decommissioning (prod/sh-heide); nothing else disappears, no mass removal');
    expect(accepted.stdout).not.toContain('nothing disappears from production');
    expect((await cli('generate', '--root', again)).code).toBe(0);
  });

  it('refuses a mass removal unless allowed', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    for (const id of ['sh-heide', 'sh-husum', 'sh-wedel']) {
      edit(dir, `tenants/sh/${id}.yaml`, (t) => t.replace(/environments: \[(dev, )?test, prod\]/, 'environments: [$1test]') + 'decommission: {reason: "moved to another platform"}\n');
    }
    const refused = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('environments/prod.yaml:1:1: error E_MASS_REMOVAL: this change removes 21 of 151 Applications (13.9%) from prod, more than 10%');
    expect((await cli('generate', '--root', dir)).code).toBe(1);
    expect((await cli('plan', '--root', dir, '--base', 'HEAD', '--allow-mass-removal')).code).toBe(0);
    expect((await cli('generate', '--root', dir, '--allow-mass-removal')).code).toBe(0);
  });

  it('lists an expired exception as a warning in test and refuses it in prod', async () => {
    const { dir } = await gitRepo({ from: SAMPLE_FLEET });
    const exception = 'exceptions:\n  - app: alfa\n    version: 1.11.0\n    wave: canary\n    reason: rollback after incident 4711\n    until: "2026-11-01"\n';
    edit(dir, 'environments/test.yaml', (t) => t + exception);
    const warned = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('  test: alfa 1.11.0 for wave canary until 2026-11-01 (EXPIRED): rollback after incident 4711');
    expect(warned.stdout).toMatch(/environments\/test\.yaml:\d+:\d+: warning E_EXCEPTION_EXPIRED/);
    edit(dir, 'environments/prod.yaml', (t) => t + exception);
    const refused = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/environments\/prod\.yaml:\d+:\d+: error E_EXCEPTION_EXPIRED: exception for alfa 1\.11\.0 \(wave canary\) expired on 2026-11-01/);
  });

  it('compares with the merge base of the default branch when no base is given', async () => {
    const { dir, git } = await gitRepo({ from: SAMPLE_FLEET });
    await git.checkoutLocalBranch('bump');
    bumpVorgangManager(dir);
    await git.add('.');
    await git.commit('Bump');
    const run = await cli('plan', '--root', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('22 Kommunen: vorgang-manager 2.14.1 → 2.15.0');
  });

  it('says clearly when the base does not exist or does not validate', async () => {
    const { dir, git } = await gitRepo({ from: SAMPLE_FLEET });
    const missing = await cli('plan', '--root', dir, '--base', 'no-such-branch');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: base no-such-branch is not a commit in the repository');
    edit(dir, 'tenants/sh/sh-kiel.yaml', (t) => t.replace('wave: early', 'wave: erly'));
    await git.add('.');
    await git.commit('Broken');
    edit(dir, 'tenants/sh/sh-kiel.yaml', (t) => t.replace('wave: erly', 'wave: early'));
    const broken = await cli('plan', '--root', dir, '--base', 'HEAD');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('at HEAD: wave "erly" does not exist in prod');
    expect(broken.stderr).toContain('error: the base HEAD does not validate, so there is nothing to compare with; the working tree validates');
  });
});

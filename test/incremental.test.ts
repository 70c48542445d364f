import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAndCheck } from '../generator/generate.js';
import { planChange } from '../generator/plan/plan.js';
import { CLI_BIN, cli, copyFleet, read, SAMPLE_FLEET, snapshotTree, write } from './helpers/fleet.js';
import { gitRepo } from './helpers/git.js';

const TODAY = '2026-11-27';

/** One step a team takes between two generates: an input edit, or a hand edit of the output. */
type Step =
  | { kind: 'wave'; kommune: number; wave: 'canary' | 'early' | 'main' | undefined }
  | { kind: 'size'; kommune: number; size: 's' | 'm' | 'l' }
  | { kind: 'values'; kommune: number; replicas: number }
  | { kind: 'pin'; env: 'dev' | 'test' | 'prod'; patch: number }
  | { kind: 'move'; kommune: number; cluster: 'prod-sh-1' | 'prod-sh-2' | undefined }
  | { kind: 'comment'; env: 'dev' | 'test' | 'prod' }
  | { kind: 'add'; n: number; apps: readonly string[] }
  | { kind: 'remove'; n: number }
  | { kind: 'touch-output'; file: number }
  | { kind: 'delete-output'; file: number }
  | { kind: 'stray-output' };

const APPS = ['alfa', 'info-manager', 'user-manager', 'vorgang-manager', 'xta-adapter', 'zufi-manager'];

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('wave' as const), kommune: fc.nat(21), wave: fc.constantFrom('canary' as const, 'early' as const, 'main' as const, undefined) }),
  fc.record({ kind: fc.constant('size' as const), kommune: fc.nat(21), size: fc.constantFrom('s' as const, 'm' as const, 'l' as const) }),
  fc.record({ kind: fc.constant('values' as const), kommune: fc.nat(21), replicas: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant('pin' as const), env: fc.constantFrom('dev' as const, 'test' as const, 'prod' as const), patch: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ kind: fc.constant('move' as const), kommune: fc.nat(21), cluster: fc.constantFrom('prod-sh-1' as const, 'prod-sh-2' as const, undefined) }),
  fc.record({ kind: fc.constant('comment' as const), env: fc.constantFrom('dev' as const, 'test' as const, 'prod' as const) }),
  fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 3 }), apps: fc.subarray(APPS, { minLength: 1 }) }),
  fc.record({ kind: fc.constant('remove' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('touch-output' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('delete-output' as const), file: fc.nat() }),
  fc.record({ kind: fc.constant('stray-output' as const) }),
);

function kommuneFile(root: string, index: number): string {
  const files = readdirSync(path.join(root, 'tenants/sh')).filter((f) => !f.startsWith('sh-neu-')).sort();
  return `tenants/sh/${files[index % files.length]}`;
}

function distFile(root: string, index: number): string {
  const files = [...snapshotTree(path.join(root, 'dist')).keys()].sort();
  return path.join('dist', files[index % files.length]!);
}

/** Sets (or with `value` undefined removes) a top-level key of a Kommune file. */
function setKey(text: string, key: string, value: string | undefined): string {
  const without = text.replace(new RegExp(`^${key}:.*\\n`, 'm'), '');
  return value === undefined ? without : `${without}${key}: ${value}\n`;
}

function apply(root: string, s: Step): void {
  switch (s.kind) {
    case 'wave':
      return write(root, kommuneFile(root, s.kommune), setKey(read(root, kommuneFile(root, s.kommune)), 'wave', s.wave));
    case 'size':
      return write(root, kommuneFile(root, s.kommune), setKey(read(root, kommuneFile(root, s.kommune)), 'size', s.size));
    case 'values': {
      const file = kommuneFile(root, s.kommune);
      const text = read(root, file);
      // Kiel has a values block of its own; every other Kommune gets one.
      if (/^values:/m.test(text)) return write(root, file, text.replace(/replicaCount: \d+/, `replicaCount: ${s.replicas}`));
      return write(root, file, `${text}values:\n  alfa:\n    replicaCount: ${s.replicas}\n`);
    }
    case 'pin': {
      const file = `environments/${s.env}.yaml`;
      return write(root, file, read(root, file).replace(/(depName=vorgang-manager\n    version: )2\.14\.\d+/, `$12.14.${s.patch}`));
    }
    case 'move':
      // Into the other prod cluster of its Land and back: both clusters' units change.
      return write(root, kommuneFile(root, s.kommune), setKey(read(root, kommuneFile(root, s.kommune)), 'cluster', s.cluster && `{ prod: ${s.cluster} }`));
    case 'comment':
      // New bytes, the same document: input keys differ, fingerprints do not.
      return appendFileSync(path.join(root, `environments/${s.env}.yaml`), '# reviewed\n');
    case 'add':
      return write(root, `tenants/sh/sh-neu-${s.n}.yaml`, `id: sh-neu-${s.n}\nname: Neudorf ${s.n}\nags: "0105490${s.n}"\nenvironments: [dev, test]\napps: [${s.apps.join(', ')}]\n`);
    case 'remove':
      return rmSync(path.join(root, `tenants/sh/sh-neu-${s.n}.yaml`), { force: true });
    case 'touch-output':
      return appendFileSync(path.join(root, distFile(root, s.file)), '# edited by hand\n');
    case 'delete-output':
      return rmSync(path.join(root, distFile(root, s.file)));
    case 'stray-output':
      return write(root, 'dist/test/argocd/main/applicationsets/test-sh-1/stray.yaml', 'kind: ConfigMap\n');
  }
}

/** The three trees on disk, as the in-memory full render names them. */
function onDisk(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const tree of ['dist', 'argocd', 'schemas']) for (const [file, text] of snapshotTree(path.join(root, tree))) out.set(`${tree}/${file}`, text);
  return out;
}

async function fullRender(root: string): Promise<Map<string, string> | undefined> {
  const rendered = await renderAndCheck({ root, today: TODAY });
  if (!rendered.dist) return undefined;
  const out = new Map<string, string>();
  for (const [tree, files] of [['dist', rendered.dist], ['argocd', rendered.bootstrap!], ['schemas', rendered.schemas!]] as const) {
    for (const [file, text] of files) out.set(`${tree}/${file}`, Buffer.from(text).toString('latin1'));
  }
  return out;
}

describe('an incremental generate equals a clean full render', () => {
  it('after random sequences of Kommune edits, moves, additions, removals, pin and wave changes, comments and hand edits of the output', async () => {
    let steps = 0;
    let failedSteps = 0;
    let guardedSteps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (sequence) => {
        const { dir: root, git } = await gitRepo({ from: SAMPLE_FLEET });
        // The run record of the first generate is what the steps build on.
        expect((await cli('generate', '--root', root)).code).toBe(0);
        await git.add('.');
        await git.commit('base', { '--allow-empty': null });
        for (const s of sequence) {
          const inputsBefore = ['environments', 'tenants'].map((d) => snapshotTree(path.join(root, d)));
          apply(root, s);
          const outputBefore = onDisk(root);
          let run = await cli('generate', '--root', root);
          steps++;
          const expected = await fullRender(root);
          if (run.code !== 0 && /E_MASS_REMOVAL/.test(run.stderr)) {
            // A removal of more than a tenth of an environment's Applications (a Kommune with
            // every app taken out of a small dev environment): the guard refuses it and writes
            // nothing; confirmed, it goes through like any other step.
            guardedSteps++;
            expect(onDisk(root), JSON.stringify(s)).toEqual(outputBefore);
            run = await cli('generate', '--root', root, '--allow-mass-removal');
          }
          if (run.code !== 0) {
            // An edit the inputs refuse (a wave change that leaves prod without a canary): the full
            // render refuses it too, and nothing was written.
            failedSteps++;
            expect(expected, `${JSON.stringify(s)}: ${run.stderr}`).toBeUndefined();
            expect(onDisk(root)).toEqual(outputBefore);
            for (const [i, d] of ['environments', 'tenants'].entries()) {
              rmSync(path.join(root, d), { recursive: true });
              for (const [file, text] of inputsBefore[i]!) write(root, path.join(d, file), Buffer.from(text, 'latin1'));
            }
            continue;
          }
          expect(expected, JSON.stringify(s)).toBeDefined();
          const actual = onDisk(root);
          expect([...actual.keys()].sort(), JSON.stringify(s)).toEqual([...expected!.keys()].sort());
          for (const [file, text] of expected!) expect(actual.get(file) === text, `${JSON.stringify(s)}: ${file}`).toBe(true);
        }
        // The plan of everything the sequence changed: incremental and full agree exactly.
        if (!existsSync(path.join(root, 'environments'))) return;
        const incremental = await planChange({ root, base: 'HEAD', today: TODAY });
        const full = await planChange({ root, base: 'HEAD', today: TODAY, full: true });
        expect(incremental).toEqual(full);
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 12),
        // Always among the runs: a Kommune with every app added to dev, then removed again.
        examples: [[[{ kind: 'add', n: 1, apps: APPS }, { kind: 'remove', n: 1 }]]],
      },
    );
    // Most steps were edits the inputs accept, so most steps compared trees.
    expect(steps).toBeGreaterThan(failedSteps * 2);
    expect(guardedSteps).toBeGreaterThan(0);
  }, 600_000);
});

describe('the installed CLI, each run a process of its own', () => {
  const run = (root: string) => spawnSync(process.execPath, [CLI_BIN, 'generate', '--root', root], { encoding: 'utf8' });

  it('a run with nothing to do says so and exits 0; a hand edit is repaired by the next run', () => {
    const root = copyFleet();
    expect(run(root).status).toBe(0);
    const rendered = onDisk(root);
    // The output scan runs on a thread of its own: a run that only waits for it must get its answer.
    const quiet = run(root);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/^generated: 0 written, 0 removed, \d+ unchanged \(inputs and output as the last run left them; nothing rendered\)$/m);
    appendFileSync(path.join(root, 'dist/prod/kommunen/sh-kiel/baseline.yaml'), '# edited by hand\n');
    const repair = run(root);
    expect(repair.status, repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/^generated: 1 written, 0 removed, \d+ unchanged$/m);
    expect(onDisk(root)).toEqual(rendered);
  });

  it('files added by hand are found below folders the record trusts, in an empty folder it recorded too', () => {
    const root = copyFleet();
    const kiel = 'tenants/sh/sh-kiel.yaml';
    const generate = () => {
      const result = run(root);
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    generate();
    const rendered = onDisk(root);
    // An empty folder, and a stray file deep below folders the first run wrote and recorded.
    mkdirSync(path.join(root, 'dist/prod/extra'));
    write(root, 'dist/prod/kommunen/sh-kiel/stray.yaml', 'kind: ConfigMap\n');
    // Folders count as unchanged only once their ctime is two seconds old (coarse clocks).
    sleepMs(2100);
    // A Kommune edit makes this run render and record, the settled empty folder included.
    write(root, kiel, read(root, kiel).replace('name: Landeshauptstadt Kiel', 'name: Kiel'));
    expect(generate()).toMatch(/ 1 removed, /);
    expect(existsSync(path.join(root, 'dist/prod/kommunen/sh-kiel/stray.yaml'))).toBe(false);
    // The empty folder is now in the record; its parent did not change since, so only the ctime
    // of the folder itself shows the new file.
    write(root, 'dist/prod/extra/stray.yaml', 'kind: ConfigMap\n');
    expect(generate()).toMatch(/^generated: 0 written, 1 removed, /m);
    write(root, kiel, read(root, kiel).replace('name: Kiel', 'name: Landeshauptstadt Kiel'));
    rmSync(path.join(root, 'dist/prod/kommunen/sh-kiel/baseline.yaml'));
    generate();
    const repaired = onDisk(root);
    expect([...repaired.keys()].filter((f) => !rendered.has(f))).toEqual([]);
    expect(repaired).toEqual(rendered);
  });
});

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

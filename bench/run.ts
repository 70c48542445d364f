import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kommunenCsv, syntheticKommunen, writeSyntheticEnvironments, type SyntheticKommune } from './synthetic-fleet.js';

/**
 * npm run bench: synthetic fleets of 150, 1,000 and 10,800 Kommunen over all 16 Länder in the
 * nationwide layout (clusters serving whole Kreise, at most 900 Kommunen each; Argo CD instances
 * of four clusters), onboarded through `tenant import`, each in dev, test and prod, in a git
 * repository. Every command runs in its own process, as the installed CLI runs it, one after the
 * other, with its peak RSS: full generate into an empty dist/, nothing changed, one Kommune
 * changed (these two: the median of three runs), `tenant add` and `tenant import` of 10 rows (each, and the generate after it),
 * `bump --branch`, the merge request's `plan` after it (in the working tree the bump was made in,
 * and as a pipeline runs it: in a fresh clone of the bump's branch with no caches, the median of
 * three clones), and `status` against a stand-in Argo CD
 * serving every Application of prod, one API per Argo CD instance (once as 3.5, once as 2.14 to
 * 3.4, which can only send the whole spec; the median of three runs each). Beside them, measured
 * in the same run on the same output:
 * the floors (the generator's own bytes written to a fresh folder; the same objects emitted as
 * JSON and written; listing and stat-ing every output file) and the naive cdk8s layout until it
 * first needs more than 60 s. BENCH_SIZES=150,1000 limits the fleets.
 */
const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(BUILD, '..');
const NAIVE_LIMIT_MS = 60_000;
const sizes = (process.env.BENCH_SIZES ?? '150,1000,10800').split(',').map(Number);
const GIT_ENV = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@ozg-cloud.example', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@ozg-cloud.example' };

interface Run {
  ms: number;
  rssMb: number;
  code?: number;
}

function node(script: string, args: string[], options: { timeoutMs?: number; env?: Record<string, string>; flags?: string[] } = {}): Run | undefined {
  const result = spawnSync(process.execPath, [...(options.flags ?? []), path.join(BUILD, script), ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30 * 60_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...options.env },
  });
  if (result.error || result.status !== 0) {
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || result.signal) return undefined;
    throw new Error(`${script} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Run;
}

/** One CLI command in its own process, as the installed `ozg-gitops` runs it. */
function cli(root: string, args: string[], env?: Record<string, string>): Run {
  const run = node('bench/measure.js', [...args, '--root', root], { env })!;
  if (run.code !== 0) throw new Error(`ozg-gitops ${args.join(' ')} exited ${run.code} on the bench fleet`);
  return run;
}

/** The run of median time among a few: the machine is shared, and single runs of the quick commands scatter widely. */
function median(runs: readonly Run[]): Run {
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', args, { cwd: root, env: { ...process.env, ...GIT_ENV }, stdio: 'ignore' });
}

/** An AGS in a Kreis the fleet already has (so a cluster serves it) that no synthetic Kommune uses. */
function freeAgs(kommunen: readonly SyntheticKommune[], n: number): string {
  const prefix = kommunen.find((k) => !k.ags.startsWith('01'))!.ags.slice(0, 5);
  return `${prefix}${String(990 - n).padStart(3, '0')}`;
}

/**
 * Starts the stand-in for Argo CD `version` serving `env` of the fleet, one API per Argo CD
 * instance, and names them in the environment file (each instance's `server`, or `argocd.server`
 * for the one default instance); resolves with the Application count and a stop that puts the
 * file back.
 */
async function standIn(root: string, env: string, version: string): Promise<{ applications: number; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(BUILD, 'bench/argocd-stand-in.js'), root, env, version], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = await new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready \d+$/m.test(out)) resolve(out.split('\n'));
    });
    child.on('exit', (code) => reject(new Error(`the Argo CD stand-in stopped (${code})`)));
  });
  const file = path.join(root, 'environments', `${env}.yaml`);
  const original = readFileSync(file, 'utf8');
  let text = original;
  for (const [, name, url] of lines.flatMap((l) => [/^instance (\S+) (\S+)$/.exec(l)]).filter((m) => m !== null)) {
    text = /^ {2}instances:$/m.test(text) ? text.replace(new RegExp(`^( {4}- name: ${name}\n)`, 'm'), `$1      server: ${url}\n`) : text.replace(/^argocd:\n/m, `argocd:\n  server: ${url}\n`);
  }
  writeFileSync(file, text);
  const applications = Number(lines.find((l) => l.startsWith('ready '))!.slice('ready '.length));
  return {
    applications,
    stop: () => {
      child.kill();
      writeFileSync(file, original);
    },
  };
}

/**
 * The merge request pipeline's plan of the branch checked out in `root`: a clone of that branch
 * alone, the target branch fetched beside it, no caches (they are kept per working folder).
 */
function planInFreshClone(root: string): Run {
  const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const clone = mkdtempSync(path.join(tmpdir(), 'ozg-bench-clone-'));
  try {
    git(tmpdir(), 'clone', '--quiet', '--no-local', '--single-branch', '--branch', branch, root, clone);
    git(clone, 'fetch', '--quiet', 'origin', 'main:refs/remotes/origin/main');
    return cli(clone, ['plan', '--base', 'origin/main', '--format', 'markdown']);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

type Row = Record<string, number | string | null>;
const results: Row[] = [];
let naiveGaveUp = false;
for (const size of sizes) {
  const root = mkdtempSync(path.join(tmpdir(), `ozg-bench-${size}-`));
  try {
    const kommunen = syntheticKommunen(size);
    writeSyntheticEnvironments(root, kommunen, REPO);
    writeFileSync(path.join(root, 'kommunen.csv'), kommunenCsv(kommunen));
    git(root, 'init', '--quiet', '--initial-branch=main');
    // Left to itself, the commit of the whole fleet (76,000 files at 10,800 Kommunen) starts
    // `git gc --auto` in the background, which packs for about a minute on both cores while the
    // commands below are timed. The repository is packed once, untimed, as a long-lived one is.
    git(root, 'config', 'gc.auto', '0');
    const imported = cli(root, ['tenant', 'import', path.join(root, 'kommunen.csv'), '--env', 'dev,test,prod']);
    rmSync(path.join(root, 'kommunen.csv'));
    const full = cli(root, ['generate']);
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', 'fleet');
    git(root, 'gc', '--quiet');
    const unchanged = median([1, 2, 3].map(() => cli(root, ['generate'])));
    // one Kommune's file changes: another wave, back, and again
    const tenantFile = path.join(root, execFileSync('git', ['ls-files', 'tenants'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean).sort()[0]!);
    const original = readFileSync(tenantFile, 'utf8');
    const oneKommune = median(
      [`${original}wave: canary\n`, original, `${original}wave: canary\n`].map((text) => {
        writeFileSync(tenantFile, text);
        return cli(root, ['generate']);
      }),
    );
    const tenantAdd = cli(root, ['tenant', 'add', '--ags', freeAgs(kommunen, 0), '--name', 'Benchhausen', '--env', 'dev,test,prod']);
    const afterAdd = cli(root, ['generate']);
    writeFileSync(path.join(root, 'ten.csv'), `AGS;Name\n${Array.from({ length: 10 }, (_, i) => `${freeAgs(kommunen, i + 1)};Benchdorf ${i + 1}`).join('\n')}\n`);
    const importTen = cli(root, ['tenant', 'import', path.join(root, 'ten.csv'), '--env', 'dev,test,prod']);
    const afterImport = cli(root, ['generate']);
    rmSync(path.join(root, 'ten.csv'));
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', 'onboarding');
    const bump = cli(root, ['bump', 'vorgang-manager', '2.15.0', '--env', 'prod', '--branch']);
    const plan = cli(root, ['plan', '--base', 'main', '--format', 'markdown']);
    const planFresh = median([1, 2, 3].map(() => planInFreshClone(root)));
    // Argo CD 3.5 lets status select the source and the sync revision; before 3.5 only the whole spec.
    const statusOn = async (version: string) => {
      const argocd = await standIn(root, 'prod', version);
      try {
        // Median of three: the first run also validates the environment file just pointed at the stand-in.
        return { run: median([1, 2, 3].map(() => cli(root, ['status', '--env', 'prod'], { ARGOCD_AUTH_TOKEN: 'bench' }))), applications: argocd.applications };
      } finally {
        argocd.stop();
      }
    };
    const status = await statusOn('3.5');
    const statusBefore35 = await statusOn('2.14');
    const floorBytes = node('bench/floor-and-naive.js', ['bytes', root, path.join(root, '.floor-out')])!;
    const floorJson = node('bench/floor-and-naive.js', ['json', root, path.join(root, '.floor-out')], { flags: ['--max-old-space-size=8192'] })!;
    const floorStat = node('bench/floor-and-naive.js', ['stat', root])!;
    let naive: Run | undefined;
    if (!naiveGaveUp) {
      naive = node('bench/floor-and-naive.js', ['naive', root], { timeoutMs: NAIVE_LIMIT_MS, flags: ['--max-old-space-size=8192'] });
      if (!naive) naiveGaveUp = true;
    }
    const row: Row = { kommunen: size, applications: status.applications };
    const put = (name: string, run: Run) => {
      row[`${name}Ms`] = Math.round(run.ms);
      row[`${name}RssMb`] = Math.round(run.rssMb);
    };
    put('import', imported);
    put('full', full);
    put('unchanged', unchanged);
    put('oneKommune', oneKommune);
    put('tenantAdd', tenantAdd);
    put('afterAdd', afterAdd);
    put('importTen', importTen);
    put('afterImport', afterImport);
    put('bump', bump);
    put('plan', plan);
    put('planFresh', planFresh);
    put('status', status.run);
    put('statusBefore35', statusBefore35.run);
    row.floorBytesMs = Math.round(floorBytes.ms);
    row.floorJsonMs = Math.round(floorJson.ms);
    row.floorStatMs = Math.round(floorStat.ms);
    row.naiveMs = naive ? Math.round(naive.ms) : null;
    results.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const sec = (ms: number | string | null | undefined) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(2)} s` : '—');
const commands: [string, string][] = [
  ['full', 'generate into an empty dist/'],
  ['unchanged', 'generate, nothing changed (median of 3)'],
  ['oneKommune', 'generate after one Kommune file changed (median of 3)'],
  ['tenantAdd', '`tenant add` of one Kommune'],
  ['afterAdd', 'generate after that `tenant add`'],
  ['importTen', '`tenant import` of 10 rows'],
  ['afterImport', 'generate after that `tenant import`'],
  ['bump', '`bump vorgang-manager 2.15.0 --env prod --branch`'],
  ['plan', '`plan --base main --format markdown` after that bump, in its working tree'],
  ['planFresh', '`plan --base origin/main --format markdown` of that bump in a fresh clone (median of 3)'],
  ['status', '`status --env prod` against the stand-in of Argo CD 3.5 (median of 3)'],
  ['statusBefore35', '`status --env prod` against the stand-in of Argo CD 2.14 to 3.4 (median of 3)'],
];
const header = `| command | ${results.map((r) => `${Number(r.kommunen).toLocaleString('en-US')} Kommunen`).join(' | ')} |`;
const lines = [
  header,
  `| --- |${results.map(() => ' ---: |').join('')}`,
  ...commands.map(([key, label]) => `| ${label} | ${results.map((r) => `${sec(r[`${key}Ms`])} (${r[`${key}RssMb`]} MiB)`).join(' | ')} |`),
  `| floor: the generator's bytes written to a fresh folder | ${results.map((r) => sec(r.floorBytesMs)).join(' | ')} |`,
  `| floor: the same objects emitted as JSON and written | ${results.map((r) => sec(r.floorJsonMs)).join(' | ')} |`,
  `| floor: list and stat every output file | ${results.map((r) => sec(r.floorStatMs)).join(' | ')} |`,
  `| naive cdk8s (one App, a Chart per Kommune) | ${results.map((r) => (r.naiveMs === null ? `> ${NAIVE_LIMIT_MS / 1000} s or not run` : sec(r.naiveMs))).join(' | ')} |`,
  `| Applications in prod (status) | ${results.map((r) => Number(r.applications).toLocaleString('en-US')).join(' | ')} |`,
];
const large = results.find((r) => r.kommunen === 10800) as Record<string, number> | undefined;
const targets: { target: string; measured: string; met: boolean }[] = [];
if (large) {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const under = (key: string, label: string, limitMs: number) => targets.push({ target: `${label} under ${limitMs / 1000} s`, measured: s(large[`${key}Ms`]!), met: large[`${key}Ms`]! < limitMs });
  under('bump', '`bump --branch`', 3000);
  under('planFresh', '`plan` of that bump as a pipeline runs it (a fresh clone)', 5000);
  for (const key of ['oneKommune', 'afterAdd', 'afterImport']) under(key, commands.find(([k]) => k === key)![1], 2000);
  targets.push({ target: 'full generate under 2 × the bytes floor', measured: `${(large.fullMs! / large.floorBytesMs!).toFixed(1)} × (${s(large.fullMs!)} vs ${s(large.floorBytesMs!)})`, met: large.fullMs! < 2 * large.floorBytesMs! });
  under('status', '`status` against 75,000 Applications (Argo CD 3.5)', 5000);
  under('statusBefore35', '`status` against 75,000 Applications (Argo CD 2.14 to 3.4)', 5000);
  const peak = Math.max(...commands.map(([key]) => large[`${key}RssMb`]!));
  targets.push({ target: 'peak RSS under 512 MiB for every command', measured: `${peak} MiB (${commands.find(([key]) => large[`${key}RssMb`] === peak)![0]})`, met: peak < 512 });
}
lines.push('', '| target (10,800 Kommunen) | measured | |', '| --- | --- | --- |', ...targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'met' : 'missed'} |`));
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(path.join(REPO, 'bench/results.json'), `${JSON.stringify({ machine: { cpus: availableParallelism(), node: process.version }, results, targets }, null, 2)}\n`);

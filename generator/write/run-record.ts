import { createHash } from 'node:crypto';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheFile, generatorCodeHash } from '../cache-dir.js';
import { directorySource, type InputSource } from '../load/input-source.js';
import { acquireLock } from './lock.js';
import { OutputScan, type ScannedListing, type ScannedStats } from './output-scan.js';
import { listOwnedFiles, type OwnedDir, type TreeFile } from './write-tree.js';

/**
 * What the last successful generate wrote, so that the next one does work in proportion to what
 * changed: per output file its size and mtime as written, the fingerprint of its content and of
 * the render unit it came from; per unit its fingerprint. A unit whose fingerprint is unchanged
 * and whose files are all on disk with the recorded size and mtime is not rendered again; a file
 * edited, added or removed by hand fails that comparison and is rendered anew. The whole-input
 * fingerprint lets a generate whose inputs did not change at all stop before loading the render
 * stack. `generate --check` and plans never use the record.
 */
interface RecordData {
  readonly version: 3;
  /** The generator's own code: a new version of it renders anew. */
  readonly code: string;
  /** Every input file's bytes, the date expiry rules use, the output folders. */
  readonly fingerprint: string;
  /** Render units, and the fingerprint of each one's inputs. */
  readonly units: readonly string[];
  readonly unitFingerprints: readonly string[];
  /** Per tree, its files in columns (tens of thousands of them: arrays parse several times faster than an object per file). */
  readonly trees: Readonly<Record<string, TreeColumns>>;
}

interface TreeColumns {
  readonly paths: readonly string[];
  readonly sizes: readonly number[];
  readonly mtimes: readonly number[];
  /** Of each file's content. */
  readonly fingerprints: readonly string[];
  /** Index into `units`. */
  readonly units: readonly number[];
}

/** The record of the last run, as the render asks it (check/render-outputs.ts: OutputRecord). */
export class RunRecord {
  private readonly index = new Map<string, Map<string, number>>();
  private readonly unitFingerprint = new Map<string, string>();
  private byUnit?: Map<string, TreeFile[]>;
  private readonly scan: OutputScan;
  private scanned?: ScannedStats;

  private constructor(
    private readonly data: RecordData,
    private readonly dirs: readonly OwnedDir[],
    /** The record file's own mtime (see `untouched`). */
    private readonly recordedAt: number,
  ) {
    for (const [tree, columns] of Object.entries(data.trees)) this.index.set(tree, new Map(columns.paths.map((p, i) => [p, i])));
    data.units.forEach((unit, i) => this.unitFingerprint.set(unit, data.unitFingerprints[i]!));
    this.scan = OutputScan.start(dirs, new Map(Object.entries(data.trees).map(([tree, columns]) => [tree, columns.paths])));
  }

  /**
   * The record for these output folders, or undefined when there is none or another generator
   * version wrote it. Opening it starts reading the output folders on a thread of their own
   * (write/output-scan.ts); open it before loading the inputs, and await `scanned` before the render.
   */
  static async open(workDir: string, dirs: readonly OwnedDir[]): Promise<RunRecord | undefined> {
    const data = await readRecord(workDir, dirs);
    if (!data || data.code !== generatorCodeHash()) return undefined;
    return new RunRecord(data, dirs, statSync(recordPath(workDir, dirs)).mtimeMs);
  }

  /** Waits for the size and mtime of every recorded file; without them (the scan stopped) each file is stat'ed when asked. */
  async scannedStats(): Promise<void> {
    try {
      this.scanned = await this.scan.stats;
    } catch {
      this.scanned = undefined;
    }
  }

  /** The files present in the output folders, as the scan found them before the render; undefined when it stopped. */
  async presentFiles(): Promise<ScannedListing | undefined> {
    try {
      return await this.scan.listing;
    } catch {
      return undefined;
    }
  }

  currentUnit(unit: string, fingerprint: string): readonly TreeFile[] | undefined {
    if (this.unitFingerprint.get(unit) !== fingerprint) return undefined;
    const files = this.unitFiles().get(unit);
    if (!files?.length || !files.every((f) => this.untouched(f.tree, f.path))) return undefined;
    return files;
  }

  currentFile(tree: string, file: string, fingerprint: string): boolean {
    const i = this.index.get(tree)?.get(file);
    return i !== undefined && this.data.trees[tree]!.fingerprints[i] === fingerprint && this.untouched(tree, file);
  }

  /** Size and mtime as recorded for a file that `currentUnit`/`currentFile` vouched for. */
  recordedStat(tree: string, file: string): [number, number] | undefined {
    const i = this.index.get(tree)?.get(file);
    return i === undefined ? undefined : [this.data.trees[tree]!.sizes[i]!, this.data.trees[tree]!.mtimes[i]!];
  }

  /**
   * Size and mtime as recorded. A file whose recorded mtime is not older than the record itself
   * could have been changed again within the same clock tick without its mtime moving (git calls
   * such entries racily clean): it counts as touched and is rendered and compared again.
   */
  private untouched(tree: string, file: string): boolean {
    const i = this.index.get(tree)?.get(file);
    const owned = this.dirs.find((d) => d.tree === tree);
    if (i === undefined || !owned) return false;
    const columns = this.data.trees[tree]!;
    if (columns.mtimes[i]! >= this.recordedAt) return false;
    const scanned = this.scanned?.get(tree);
    if (scanned) return scanned[2 * i] === columns.sizes[i] && scanned[2 * i + 1] === columns.mtimes[i];
    const stat = statSync(path.join(owned.dir, file), { throwIfNoEntry: false });
    return stat !== undefined && stat.size === columns.sizes[i] && stat.mtimeMs === columns.mtimes[i];
  }

  private unitFiles(): Map<string, TreeFile[]> {
    if (this.byUnit) return this.byUnit;
    this.byUnit = new Map();
    for (const [tree, columns] of Object.entries(this.data.trees)) {
      columns.paths.forEach((file, i) => {
        const unit = this.data.units[columns.units[i]!]!;
        const list = this.byUnit!.get(unit) ?? [];
        list.push({ tree, path: file, unit, unitFingerprint: this.unitFingerprint.get(unit) ?? '', fingerprint: columns.fingerprints[i]! });
        this.byUnit!.set(unit, list);
      });
    }
    return this.byUnit;
  }
}

/**
 * Records a successful run: every file it rendered or kept, with the size and mtime it has now
 * (kept files as the old record had them, which the render just checked).
 */
export async function recordRun(
  workDir: string,
  dirs: readonly OwnedDir[],
  fingerprint: string,
  files: ReadonlyMap<string, ReadonlyMap<string, { readonly file: TreeFile; readonly kept: boolean }>>,
  previous?: RunRecord,
): Promise<void> {
  const units: string[] = [];
  const unitFingerprints: string[] = [];
  const unitIndex = new Map<string, number>();
  const trees: Record<string, TreeColumns> = {};
  for (const owned of dirs) {
    const columns = { paths: [] as string[], sizes: [] as number[], mtimes: [] as number[], fingerprints: [] as string[], units: [] as number[] };
    for (const [file, { file: f, kept }] of files.get(owned.tree) ?? []) {
      let stat = kept ? previous?.recordedStat(owned.tree, file) : undefined;
      if (!stat) {
        const now = statSync(path.join(owned.dir, file));
        stat = [now.size, now.mtimeMs];
      }
      let unit = unitIndex.get(f.unit);
      if (unit === undefined) {
        unit = units.push(f.unit) - 1;
        unitFingerprints.push(f.unitFingerprint);
        unitIndex.set(f.unit, unit);
      }
      columns.paths.push(file);
      columns.sizes.push(stat[0]);
      columns.mtimes.push(stat[1]);
      columns.fingerprints.push(f.fingerprint);
      columns.units.push(unit);
    }
    trees[owned.tree] = columns;
  }
  const target = recordPath(workDir, dirs);
  await mkdir(path.dirname(target), { recursive: true });
  // Renamed into place, not flushed: a record lost in a crash only means one full render.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 3, code: generatorCodeHash(), fingerprint, units, unitFingerprints, trees } satisfies RecordData));
  renameSync(tmp, target);
}

function recordPath(workDir: string, dirs: readonly OwnedDir[]): string {
  return `${cacheFile(workDir, 'run-record', dirs.map((d) => `${d.tree}=${d.dir}`))}.json`;
}

async function readRecord(workDir: string, dirs: readonly OwnedDir[]): Promise<RecordData | undefined> {
  try {
    const data = JSON.parse(await readFile(recordPath(workDir, dirs), 'utf8')) as RecordData;
    return data.version === 3 && data.trees && data.units ? data : undefined;
  } catch {
    return undefined;
  }
}

async function fingerprintInputs(source: InputSource, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(generatorCodeHash());
  for (const value of extra) hash.update(`\0${value}`);
  for (const file of await source.listInputFiles()) {
    hash.update(`\0${file}\0`);
    hash.update(await source.read(file));
  }
  return hash.digest('hex');
}

export interface RunIdentity {
  readonly root: string;
  readonly outDir: string;
  readonly bootstrapDir: string;
  readonly allowMassRemoval?: boolean;
  readonly today: string;
}

/** The folders a full generate owns. */
export function ownedDirs(o: Pick<RunIdentity, 'root' | 'outDir' | 'bootstrapDir'>, envs?: readonly string[]): OwnedDir[] {
  return [
    { tree: 'dist', dir: path.resolve(o.outDir), ...(envs ? { only: [...envs].sort() } : {}) },
    { tree: 'argocd', dir: path.resolve(o.bootstrapDir) },
    { tree: 'schemas', dir: path.join(path.resolve(o.root), 'schemas') },
  ];
}

/** The fingerprint of a full generate: the inputs under `root` (read from `source` when given) and everything else that decides its output. */
export async function generateFingerprint(o: RunIdentity, source: InputSource = directorySource(o.root)): Promise<string> {
  return fingerprintInputs(source, [o.today, o.outDir, o.bootstrapDir, String(o.allowMassRemoval ?? false)]);
}

/**
 * The quick answer to a generate whose inputs and output are exactly as the last one left them
 * (the CLI asks before it loads the render stack): the number of files, or undefined when the
 * run must render. Loads none of the render stack.
 */
export async function unchangedGenerate(o: RunIdentity): Promise<number | undefined> {
  const workDir = path.dirname(path.resolve(o.outDir));
  const release = acquireLock(workDir);
  try {
    if (existsSync(path.join(workDir, '.ozg-gitops-journal.json'))) return undefined;
    const dirs = ownedDirs(o);
    const data = await readRecord(workDir, dirs);
    if (!data || data.code !== generatorCodeHash() || data.fingerprint !== (await generateFingerprint(o))) return undefined;
    const recordedAt = statSync(recordPath(workDir, dirs)).mtimeMs;
    let files = 0;
    for (const owned of dirs) {
      const recorded = data.trees[owned.tree];
      if (!recorded) return undefined;
      const present = await listOwnedFiles(owned);
      if (present.size !== recorded.paths.length) return undefined;
      for (let i = 0; i < recorded.paths.length; i++) {
        const file = recorded.paths[i]!;
        if (!present.has(file)) return undefined;
        const stat = statSync(path.join(owned.dir, file));
        // A racily clean file (see RunRecord) needs a real run.
        if (stat.size !== recorded.sizes[i] || stat.mtimeMs !== recorded.mtimes[i] || recorded.mtimes[i]! >= recordedAt) return undefined;
      }
      files += present.size;
    }
    return files;
  } finally {
    release();
  }
}


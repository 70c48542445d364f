import { createHash } from 'node:crypto';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheFile, generatorCodeHash } from '../cache-dir.js';
import { directorySource, type InputSource } from '../load/input-source.js';
import { acquireLock } from './lock.js';
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
  readonly version: 2;
  /** The generator's own code: a new version of it renders anew. */
  readonly code: string;
  /** Every input file's bytes, the date expiry rules use, the output folders. */
  readonly fingerprint: string;
  /** Tree → file → [size, mtimeMs, content fingerprint, unit]. */
  readonly trees: Record<string, Record<string, [number, number, string, string]>>;
  /** Unit → the fingerprint of its inputs. */
  readonly units: Record<string, string>;
}

/** The record of the last run, as the render asks it (check/render-outputs.ts: OutputRecord). */
export class RunRecord {
  private byUnit?: Map<string, TreeFile[]>;

  private constructor(
    private readonly data: RecordData,
    private readonly dirs: readonly OwnedDir[],
    /** The record file's own mtime (see `untouched`). */
    private readonly recordedAt: number,
  ) {}

  /** The record for these output folders, or undefined when there is none or another generator version wrote it. */
  static async open(workDir: string, dirs: readonly OwnedDir[]): Promise<RunRecord | undefined> {
    const data = await readRecord(workDir, dirs);
    if (!data || data.code !== generatorCodeHash()) return undefined;
    return new RunRecord(data, dirs, statSync(recordPath(workDir, dirs)).mtimeMs);
  }

  currentUnit(unit: string, fingerprint: string): readonly TreeFile[] | undefined {
    if (this.data.units[unit] !== fingerprint) return undefined;
    const files = this.unitFiles().get(unit);
    if (!files?.length || !files.every((f) => this.untouched(f.tree, f.path))) return undefined;
    return files;
  }

  currentFile(tree: string, file: string, fingerprint: string): boolean {
    return this.data.trees[tree]?.[file]?.[2] === fingerprint && this.untouched(tree, file);
  }

  /** Size and mtime as recorded for a file that `currentUnit`/`currentFile` vouched for. */
  recordedStat(tree: string, file: string): [number, number] | undefined {
    const entry = this.data.trees[tree]?.[file];
    return entry && [entry[0], entry[1]];
  }

  /**
   * Size and mtime as recorded. A file whose recorded mtime is not older than the record itself
   * could have been changed again within the same clock tick without its mtime moving (git calls
   * such entries racily clean): it counts as touched and is rendered and compared again.
   */
  private untouched(tree: string, file: string): boolean {
    const entry = this.data.trees[tree]?.[file];
    const owned = this.dirs.find((d) => d.tree === tree);
    if (!entry || !owned || entry[1] >= this.recordedAt) return false;
    const stat = statSync(path.join(owned.dir, file), { throwIfNoEntry: false });
    return stat !== undefined && stat.size === entry[0] && stat.mtimeMs === entry[1];
  }

  private unitFiles(): Map<string, TreeFile[]> {
    if (this.byUnit) return this.byUnit;
    this.byUnit = new Map();
    for (const [tree, files] of Object.entries(this.data.trees)) {
      for (const [file, [, , fingerprint, unit]] of Object.entries(files)) {
        const list = this.byUnit.get(unit) ?? [];
        list.push({ tree, path: file, unit, unitFingerprint: this.data.units[unit] ?? '', fingerprint });
        this.byUnit.set(unit, list);
      }
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
  const trees: RecordData['trees'] = {};
  const units: RecordData['units'] = {};
  for (const owned of dirs) {
    const entries: Record<string, [number, number, string, string]> = {};
    for (const [file, { file: f, kept }] of files.get(owned.tree) ?? []) {
      let stat = kept ? previous?.recordedStat(owned.tree, file) : undefined;
      if (!stat) {
        const now = statSync(path.join(owned.dir, file));
        stat = [now.size, now.mtimeMs];
      }
      entries[file] = [stat[0], stat[1], f.fingerprint, f.unit];
      if (f.unitFingerprint) units[f.unit] = f.unitFingerprint;
    }
    trees[owned.tree] = entries;
  }
  const target = recordPath(workDir, dirs);
  await mkdir(path.dirname(target), { recursive: true });
  // Renamed into place, not flushed: a record lost in a crash only means one full render.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 2, code: generatorCodeHash(), fingerprint, trees, units } satisfies RecordData));
  renameSync(tmp, target);
}

function recordPath(workDir: string, dirs: readonly OwnedDir[]): string {
  return `${cacheFile(workDir, 'run-record', dirs.map((d) => `${d.tree}=${d.dir}`))}.json`;
}

async function readRecord(workDir: string, dirs: readonly OwnedDir[]): Promise<RecordData | undefined> {
  try {
    const data = JSON.parse(await readFile(recordPath(workDir, dirs), 'utf8')) as RecordData;
    return data.version === 2 && data.trees && data.units ? data : undefined;
  } catch {
    return undefined;
  }
}

export async function fingerprintInputs(source: InputSource, extra: readonly string[]): Promise<string> {
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
      if (present.size !== Object.keys(recorded).length) return undefined;
      for (const file of present) {
        const expected = recorded[file];
        if (!expected) return undefined;
        const stat = statSync(path.join(owned.dir, file));
        // A racily clean file (see RunRecord) needs a real run.
        if (stat.size !== expected[0] || stat.mtimeMs !== expected[1] || expected[1] >= recordedAt) return undefined;
      }
      files += present.size;
    }
    return files;
  } finally {
    release();
  }
}


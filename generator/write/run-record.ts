import { createHash } from 'node:crypto';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheFile, generatorCodeHash } from '../cache-dir.js';
import { contentKey, directorySource, indexedDirectorySource, memoizedSource, withContents, type InputSource } from '../load/input-source.js';
import { OutputScan, type ScannedFolders, type ScannedListing, type ScannedStats } from './output-scan.js';
import { decodeRecord, encodeRecord, type Column } from './record-file.js';
import type { OwnedDir, TreeFile } from './write-tree.js';

/**
 * What the last successful generate wrote, so that the next one does work in proportion to what
 * changed: per output file its size and mtime as written, the fingerprint of its content and of
 * the render unit it came from; per unit its fingerprint and input key. A unit whose input key
 * (else fingerprint) is unchanged and whose files are all on disk with the recorded size and
 * mtime is not rendered again; a file
 * edited, added or removed by hand fails that comparison and is rendered anew. The whole-input
 * fingerprint lets a generate whose inputs did not change at all stop before loading the render
 * stack (`prepareGenerate`). Per tree it also keeps every folder with its ctime, so that the
 * next run lists only the folders whose entries changed (write/output-scan.ts).
 * `generate --check` and plans never use the record.
 */
interface RecordData {
  readonly version: 5;
  /** The generator's own code: a new version of it renders anew. */
  readonly code: string;
  /** Every input file's bytes, the date expiry rules use, the output folders. */
  readonly fingerprint: string;
  /** Render units, the fingerprint of each one's inputs and its input key ('' when unknown). */
  readonly units: readonly string[];
  readonly unitFingerprints: readonly string[];
  readonly unitInputKeys: readonly string[];
  /** Per tree, its files and folders in columns (write/record-file.ts). */
  readonly trees: Readonly<Record<string, TreeColumns>>;
}

interface TreeColumns {
  readonly paths: readonly string[];
  readonly sizes: ArrayLike<number>;
  readonly mtimes: ArrayLike<number>;
  /** Of each file's content. */
  readonly fingerprints: readonly string[];
  /** Index into `units`. */
  readonly units: ArrayLike<number>;
  /** Every folder of the tree ('' is the tree itself), relative with forward slashes. */
  readonly folders: readonly string[];
  /** Each folder's ctime when its entries were as recorded; -1 when unknown (it is listed again). */
  readonly folderCtimes: ArrayLike<number>;
}

/** A file as the record has it: `at` is its row in its tree's columns. */
interface RecordedFile extends TreeFile {
  readonly at: number;
}

/** A unit as the record has it. */
interface RecordedUnit {
  readonly fingerprint: string;
  readonly inputKey: string;
  readonly files: RecordedFile[];
}

/** The record of the last run, as the render asks it (check/render-outputs.ts: OutputRecord). */
export class RunRecord {
  /** Made on first use, in one pass over the files: files are found through their unit, never by path alone. */
  private byUnit?: Map<string, RecordedUnit>;
  private readonly scan: OutputScan;
  private scanned?: ScannedStats;

  private constructor(
    private readonly data: RecordData,
    private readonly dirs: readonly OwnedDir[],
    /** The record file's own mtime (see `untouched`). */
    private readonly recordedAt: number,
  ) {
    this.scan = OutputScan.start(dirs, new Map(Object.entries(data.trees)), recordedAt);
  }

  /**
   * The record for these output folders, or undefined when there is none or another generator
   * version wrote it. Opening it starts reading the output folders on a thread of their own
   * (write/output-scan.ts); open it before loading the inputs, and await `scannedStats` before the render.
   */
  static async open(workDir: string, dirs: readonly OwnedDir[]): Promise<RunRecord | undefined> {
    const data = await readRecord(workDir, dirs);
    if (!data || data.code !== generatorCodeHash()) return undefined;
    return new RunRecord(data, dirs, statSync(recordPath(workDir, dirs)).mtimeMs);
  }

  /** Stops reading the output folders: for a run that ends without rendering (a change refused before it writes). */
  close(): void {
    this.scan.stop();
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

  /** The folders of the output as the scan found them, with their ctimes (-1 where they changed too lately to be trusted); undefined when it stopped. */
  async scannedFolders(): Promise<ScannedFolders | undefined> {
    try {
      return await this.scan.folders;
    } catch {
      return undefined;
    }
  }

  currentUnit(unit: string, inputKey: string | undefined, fingerprint: () => string): readonly TreeFile[] | undefined {
    const recorded = this.units().get(unit);
    if (!recorded) return undefined;
    const recordedKey = recorded.inputKey;
    const sameInputs = inputKey !== undefined && inputKey !== '' && recordedKey === inputKey;
    if (!sameInputs && recorded.fingerprint !== fingerprint()) return undefined;
    // Every recorded unit has files: units are recorded through their files (recordRun).
    const files = recorded.files;
    for (const f of files) if (!this.untouchedAt(f.tree, f.at)) return undefined;
    // Proven by the fingerprint: the next run knows the unit by this input key.
    return sameInputs || recordedKey === (inputKey ?? '') ? files : files.map((f) => ({ ...f, unitInputKey: inputKey ?? '' }));
  }

  currentFile(tree: string, file: string, fingerprint: string, unit: string): boolean {
    const i = this.rowOf(tree, file, unit);
    return i !== undefined && this.data.trees[tree]!.fingerprints[i] === fingerprint && this.untouchedAt(tree, i);
  }

  /** Size and mtime as recorded for a file that `currentUnit`/`currentFile` vouched for. */
  recordedStat(tree: string, file: TreeFile): [number, number] | undefined {
    const row = this.rowOf(tree, file.path, file.unit);
    return row === undefined ? undefined : [this.data.trees[tree]!.sizes[row]!, this.data.trees[tree]!.mtimes[row]!];
  }

  /** The row of a file among its unit's files as recorded (a unit has one to a few). */
  private rowOf(tree: string, file: string, unit: string): number | undefined {
    return this.units().get(unit)?.files.find((f) => f.tree === tree && f.path === file)?.at;
  }

  /**
   * Size and mtime as recorded. A file whose recorded mtime is not older than the record itself
   * could have been changed again within the same clock tick without its mtime moving (git calls
   * such entries racily clean): it counts as touched and is rendered and compared again.
   */
  private untouchedAt(tree: string, i: number): boolean {
    const owned = this.dirs.find((d) => d.tree === tree);
    if (!owned) return false;
    const columns = this.data.trees[tree]!;
    if (columns.mtimes[i]! >= this.recordedAt) return false;
    const scanned = this.scanned?.get(tree);
    if (scanned) return scanned[2 * i] === columns.sizes[i] && scanned[2 * i + 1] === columns.mtimes[i];
    const stat = statSync(path.join(owned.dir, columns.paths[i]!), { throwIfNoEntry: false });
    return stat !== undefined && stat.size === columns.sizes[i] && stat.mtimeMs === columns.mtimes[i];
  }

  /**
   * The number of files, when the inputs have this fingerprint and every recorded file is on disk
   * as recorded (racily clean ones excepted, see `untouched`) with no other file beside them.
   */
  async unchangedFiles(fingerprint: string): Promise<number | undefined> {
    if (this.data.fingerprint !== fingerprint) return undefined;
    await this.scannedStats();
    const present = await this.presentFiles();
    if (!this.scanned || !present) return undefined;
    let files = 0;
    for (const owned of this.dirs) {
      const columns = this.data.trees[owned.tree];
      const listed = present.get(owned.tree);
      const stats = this.scanned.get(owned.tree);
      if (!columns || !listed || !stats || listed.size !== columns.paths.length) return undefined;
      for (let i = 0; i < columns.paths.length; i++) {
        if (!listed.has(columns.paths[i]!) || columns.mtimes[i]! >= this.recordedAt) return undefined;
        if (stats[2 * i] !== columns.sizes[i] || stats[2 * i + 1] !== columns.mtimes[i]) return undefined;
      }
      files += listed.size;
    }
    return files;
  }

  private units(): Map<string, RecordedUnit> {
    if (this.byUnit) return this.byUnit;
    const { units, unitFingerprints, unitInputKeys } = this.data;
    const recorded: RecordedUnit[] = units.map((_, i) => ({ fingerprint: unitFingerprints[i]!, inputKey: unitInputKeys[i]!, files: [] }));
    for (const [tree, columns] of Object.entries(this.data.trees)) {
      for (let at = 0; at < columns.paths.length; at++) {
        const u = columns.units[at]!;
        const unit = recorded[u]!;
        unit.files.push({ tree, path: columns.paths[at]!, unit: units[u]!, unitFingerprint: unit.fingerprint, unitInputKey: unit.inputKey, fingerprint: columns.fingerprints[at]!, at });
      }
    }
    this.byUnit = new Map(units.map((unit, i) => [unit, recorded[i]!]));
    return this.byUnit;
  }
}

/**
 * Records a successful run: every file it rendered or kept, with the size and mtime it has now
 * (kept files as the old record had them, which the render just checked), and every folder with
 * its ctime: as it was found before the commit (`folders.before`: the output scan, or the
 * writer's own listing with no ctimes), or stat-ed now where this run wrote or removed below it
 * (`folders.touched`). A folder whose ctime is not known is listed again by the next run.
 */
export async function recordRun(
  workDir: string,
  dirs: readonly OwnedDir[],
  fingerprint: string,
  files: ReadonlyMap<string, ReadonlyMap<string, { readonly file: TreeFile; readonly kept: boolean }>>,
  previous?: RunRecord,
  folders?: { readonly before: ScannedFolders; readonly touched: ReadonlyMap<string, ReadonlySet<string>> },
): Promise<void> {
  const units: string[] = [];
  const unitFingerprints: string[] = [];
  const unitInputKeys: string[] = [];
  const unitIndex = new Map<string, number>();
  const columns = new Map<string, Column>();
  for (const owned of dirs) {
    const treeFiles = files.get(owned.tree) ?? new Map<string, { readonly file: TreeFile; readonly kept: boolean }>();
    const paths: string[] = [];
    const sizes = new Float64Array(treeFiles.size);
    const mtimes = new Float64Array(treeFiles.size);
    const fingerprints: string[] = [];
    const unitColumn = new Uint32Array(treeFiles.size);
    for (const [file, { file: f, kept }] of treeFiles) {
      let stat = kept ? previous?.recordedStat(owned.tree, f) : undefined;
      if (!stat) {
        const now = statSync(path.join(owned.dir, file));
        stat = [now.size, now.mtimeMs];
      }
      let unit = unitIndex.get(f.unit);
      if (unit === undefined) {
        unit = units.push(f.unit) - 1;
        unitFingerprints.push(f.unitFingerprint);
        unitInputKeys.push(f.unitInputKey);
        unitIndex.set(f.unit, unit);
      }
      sizes[paths.length] = stat[0];
      mtimes[paths.length] = stat[1];
      unitColumn[paths.length] = unit;
      paths.push(file);
      fingerprints.push(f.fingerprint);
    }
    const [treeFolders, folderCtimes] = recordedFolders(owned, folders?.before.get(owned.tree), folders?.touched.get(owned.tree));
    for (const [name, column] of Object.entries({ paths, sizes, mtimes, fingerprints, units: unitColumn, folders: treeFolders, folderCtimes })) columns.set(`${owned.tree}.${name}`, column);
  }
  columns.set('units', units).set('unitFingerprints', unitFingerprints).set('unitInputKeys', unitInputKeys);
  const target = recordPath(workDir, dirs);
  await mkdir(path.dirname(target), { recursive: true });
  // Renamed into place, not flushed: a record lost in a crash only means one full render.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, encodeRecord({ version: 5, code: generatorCodeHash(), fingerprint, trees: dirs.map((d) => d.tree) }, columns));
  renameSync(tmp, target);
}

/**
 * The folders of a tree: as scanned, except those below which this run wrote or removed, stat-ed
 * now (gone ones left out). Those are trusted next time only if older than the record file, as
 * files are (`untouched`): an entry added by hand within the same clock tick as this stat, before
 * the record is written, would go unseen, the window git's index accepts as well.
 */
function recordedFolders(owned: OwnedDir, scanned: { readonly folders: readonly string[]; readonly ctimes: ArrayLike<number> } | undefined, touched: ReadonlySet<string> | undefined): [string[], Float64Array] {
  if (!scanned || !touched) return [[], new Float64Array(0)];
  const folders: string[] = [];
  const ctimes: number[] = [];
  for (let i = 0; i < scanned.folders.length; i++) {
    if (touched.has(scanned.folders[i]!)) continue;
    folders.push(scanned.folders[i]!);
    ctimes.push(scanned.ctimes[i]!);
  }
  for (const folder of touched) {
    const stat = statSync(folder === '' ? owned.dir : path.join(owned.dir, folder), { throwIfNoEntry: false });
    if (!stat?.isDirectory()) continue;
    folders.push(folder);
    ctimes.push(stat.ctimeMs);
  }
  return [folders, Float64Array.from(ctimes)];
}

function recordPath(workDir: string, dirs: readonly OwnedDir[]): string {
  return `${cacheFile(workDir, 'run-record', dirs.map((d) => `${d.tree}=${d.dir}`))}.bin`;
}

async function readRecord(workDir: string, dirs: readonly OwnedDir[]): Promise<RecordData | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(recordPath(workDir, dirs));
  } catch {
    return undefined;
  }
  const decoded = decodeRecord(bytes);
  const header = decoded?.header as { version?: unknown; code?: string; fingerprint?: string; trees?: string[] } | undefined;
  if (!decoded || header?.version !== 5 || !Array.isArray(header.trees)) return undefined;
  const { columns } = decoded;
  const strings = (name: string) => (Array.isArray(columns.get(name)) ? (columns.get(name) as string[]) : undefined);
  const numbers = (name: string) => (Array.isArray(columns.get(name)) ? undefined : (columns.get(name) as ArrayLike<number> | undefined));
  const trees: Record<string, TreeColumns> = {};
  for (const tree of header.trees) {
    const paths = strings(`${tree}.paths`);
    const sizes = numbers(`${tree}.sizes`);
    const mtimes = numbers(`${tree}.mtimes`);
    const fingerprints = strings(`${tree}.fingerprints`);
    const units = numbers(`${tree}.units`);
    const folders = strings(`${tree}.folders`);
    const folderCtimes = numbers(`${tree}.folderCtimes`);
    if (!paths || !sizes || !mtimes || !fingerprints || !units || !folders || !folderCtimes) return undefined;
    trees[tree] = { paths, sizes, mtimes, fingerprints, units, folders, folderCtimes };
  }
  const units = strings('units');
  const unitFingerprints = strings('unitFingerprints');
  const unitInputKeys = strings('unitInputKeys');
  if (!units || !unitFingerprints || !unitInputKeys || typeof header.code !== 'string' || typeof header.fingerprint !== 'string') return undefined;
  return { version: 5, code: header.code, fingerprint: header.fingerprint, units, unitFingerprints, unitInputKeys, trees };
}

async function fingerprintInputs(source: InputSource, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(generatorCodeHash());
  for (const value of extra) hash.update(`\0${value}`);
  // Each file by the key of its bytes: the input index knows those of unchanged files unread.
  for (const file of await source.listInputFiles()) hash.update(`\0${file}\0${await contentKey(source, file)}`);
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

/** A full generate's inputs, read once, with their fingerprint and the last run's record (its output scan under way). */
export interface PreparedGenerate {
  readonly source: InputSource;
  readonly fingerprint: string;
  /** Undefined when there is none, another generator version wrote it, or an interrupted write must be completed first. */
  readonly record?: RunRecord;
  /** Set when inputs and output are exactly as the last run left them: its number of files; nothing to render. */
  readonly unchanged?: number;
}

/**
 * The start of a full generate, before the render stack is loaded (the CLI asks this first, so a
 * run with nothing to do never loads it): reads and fingerprints the inputs while the output
 * folders are scanned on another thread, and says whether the last run left exactly this. The
 * caller holds the lock (write/lock.ts) from here to the end of the generate. With `edits`, the
 * inputs are read as they will be once those files are written (a change prepares its generate
 * before it writes anything).
 */
export async function prepareGenerate(o: RunIdentity, edits?: ReadonlyMap<string, Uint8Array>): Promise<PreparedGenerate> {
  const workDir = path.dirname(path.resolve(o.outDir));
  // An interrupted write is completed by generate before it opens the record.
  const record = existsSync(path.join(workDir, '.ozg-gitops-journal.json')) ? undefined : await RunRecord.open(workDir, ownedDirs(o));
  const indexed = indexedDirectorySource(o.root, workDir);
  const source = memoizedSource(edits ? withContents(indexed, o.root, edits) : indexed);
  const fingerprint = await generateFingerprint(o, source);
  // A run with nothing to do loads nothing: what the index learned on the way is kept here.
  source.keys?.save?.();
  return { source, fingerprint, record, unchanged: await record?.unchangedFiles(fingerprint) };
}

import { Worker } from 'node:worker_threads';
import type { OwnedDir } from './write-tree.js';

/** Per tree, the size and mtime of each recorded file in pairs, by its index in the record; -1 for a file that is gone. */
export type ScannedStats = ReadonlyMap<string, Float64Array>;
/** Per tree, the files present, relative to it with forward slashes. */
export type ScannedListing = ReadonlyMap<string, ReadonlySet<string>>;
/** Per tree, every folder present ('' the tree itself) and its ctime, -1 where it changed too lately to be trusted. */
export type ScannedFolders = ReadonlyMap<string, { readonly folders: readonly string[]; readonly ctimes: Float64Array }>;

/** What the run record knows of a tree: its files, and its folders with the ctime at which their entries were as recorded (-1: unknown). */
export interface RecordedTree {
  readonly paths: readonly string[];
  readonly folders: readonly string[];
  readonly folderCtimes: ArrayLike<number>;
}

/**
 * The output folders as they are on disk, read on two threads of their own while the main thread
 * loads, validates and fingerprints the inputs: one stats every file the run record lists (size
 * and mtime), the other lists every file present. At nationwide scale that is 65,000 stats and 32,000
 * folders, about 1.4 s of system calls that otherwise run one after another with the render.
 * The listing reads only the folders whose entries changed, as git's untracked cache does: a
 * folder whose ctime is the one recorded (and older than the record) holds the files and folders
 * recorded in it, since adding, removing or renaming an entry sets its folder's ctime, and no tool
 * can set a ctime back. Stat-ing 32,000 folders takes about a quarter of reading them.
 *
 * Written by hand for speed as a small inline worker: it loads no module of the generator, so it
 * starts in milliseconds. It reads the same fields `statSync` and `readdirSync` give the main
 * thread (write-tree.ts: listTree, run-record.ts: untouched).
 */
export class OutputScan {
  readonly stats: Promise<ScannedStats>;
  readonly listing: Promise<ScannedListing>;
  readonly folders: Promise<ScannedFolders>;

  private constructor(
    private readonly statsThread: Worker,
    private readonly listingThread: Worker,
  ) {
    const stats = answer<ScannedStats>();
    const listing = answer<ScannedListing>();
    const folders = answer<ScannedFolders>();
    this.stats = stats.promise;
    this.listing = listing.promise;
    this.folders = folders.promise;
    statsThread.on('message', (message: { stats: Record<string, Float64Array> }) => stats.resolve(new Map(Object.entries(message.stats))));
    listingThread.on('message', (message: { listing: Record<string, string[]>; folders: Record<string, { folders: string[]; ctimes: Float64Array }> }) => {
      listing.resolve(new Map(Object.entries(message.listing).map(([tree, files]) => [tree, new Set(files)])));
      folders.resolve(new Map(Object.entries(message.folders)));
    });
    for (const [thread, its] of [[statsThread, stats], [listingThread, listing], [listingThread, folders]] as const) {
      // A scan that stops (a folder it cannot read) rejects its answer; the run then reads the
      // disk itself and reports any error where it happens.
      thread.on('error', its.reject);
      // Kept referenced: a run that only waits for these answers must not end before they come.
      thread.on('exit', () => its.reject(new Error('the output scan ended without an answer')));
    }
  }

  /** Stops both threads (a run that ends before it needs their answers); the answers reject. */
  stop(): void {
    void this.statsThread.terminate();
    void this.listingThread.terminate();
  }

  /**
   * Starts reading `dirs`: the stats of the recorded files (per tree, the record's paths in its
   * order) and, beside it, the listing, trusting recorded folder ctimes older than `recordedAt`
   * (the record file's mtime).
   */
  static start(dirs: readonly OwnedDir[], recorded: ReadonlyMap<string, RecordedTree>, recordedAt: number): OutputScan {
    // Two threads, one per answer: the main thread is done with the inputs before the scan is done
    // with the disk, so its core would otherwise wait.
    const owned = dirs.map((d) => ({ tree: d.tree, dir: d.dir, only: d.only }));
    const thread = (part: 'stats' | 'listing', workerData: object) =>
      new Worker(SCAN_WORKER, { eval: true, workerData: { part, dirs: owned, ...workerData }, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    const paths = Object.fromEntries([...recorded].map(([tree, columns]) => [tree, columns.paths]));
    const folders = Object.fromEntries([...recorded].map(([tree, columns]) => [tree, { folders: columns.folders, ctimes: Float64Array.from(columns.folderCtimes) }]));
    return new OutputScan(thread('stats', { recorded: paths }), thread('listing', { recorded: paths, folders, recordedAt }));
  }
}

const SCAN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { part, dirs, recorded, folders, recordedAt } = workerData;
function stats() {
  const out = {};
  for (const owned of dirs) {
    const paths = recorded[owned.tree] || [];
    const pairs = new Float64Array(paths.length * 2).fill(-1);
    for (let i = 0; i < paths.length; i++) {
      const stat = statSync(path.join(owned.dir, paths[i]), { throwIfNoEntry: false });
      if (stat && stat.isFile()) { pairs[2 * i] = stat.size; pairs[2 * i + 1] = stat.mtimeMs; }
    }
    out[owned.tree] = pairs;
  }
  parentPort.postMessage({ stats: out }, Object.values(out).map((pairs) => pairs.buffer));
}
function list(dir) {
  try {
    // Each entry's folder is dir or below it: cut, not path.relative (0.25 s at 65,000 files).
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => (e.parentPath.length > dir.length ? e.parentPath.slice(dir.length + 1) + path.sep + e.name : e.name).split(path.sep).join('/'));
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
}
function grouped(entries) {
  const byFolder = new Map();
  for (const entry of entries) {
    const cut = entry.lastIndexOf('/');
    const folder = cut < 0 ? '' : entry.slice(0, cut);
    const list = byFolder.get(folder);
    if (list) list.push(entry);
    else byFolder.set(folder, [entry]);
  }
  return byFolder;
}
// Every file and folder of a tree, reading only folders whose ctime is not the trusted one.
function walk(root, paths, known) {
  // A folder that changed since this moment may not show it in its ctime yet (coarse clocks).
  const settled = Date.now() - 2000;
  const trusted = new Map();
  known.folders.forEach((folder, i) => {
    const ctime = known.ctimes[i];
    if (ctime >= 0 && ctime < recordedAt) trusted.set(folder, ctime);
  });
  const filesIn = grouped(paths);
  const foldersIn = grouped(known.folders.filter((f) => f !== ''));
  const files = [];
  const folders = [];
  const ctimes = [];
  const visit = (folder) => {
    const abs = folder === '' ? root : path.join(root, folder);
    let stat;
    try {
      stat = statSync(abs);
    } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return;
      throw error;
    }
    if (!stat.isDirectory()) return;
    folders.push(folder);
    ctimes.push(stat.ctimeMs < settled ? stat.ctimeMs : -1);
    if (trusted.get(folder) === stat.ctimeMs) {
      for (const file of filesIn.get(folder) || []) files.push(file);
      for (const below of foldersIn.get(folder) || []) visit(below);
      return;
    }
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const relative = folder === '' ? entry.name : folder + '/' + entry.name;
      if (entry.isDirectory()) visit(relative);
      else if (entry.isFile()) files.push(relative);
    }
  };
  visit('');
  return { files, folders, ctimes: Float64Array.from(ctimes) };
}
function listing() {
  const out = {};
  const found = {};
  for (const owned of dirs) {
    if (owned.only) {
      out[owned.tree] = owned.only.flatMap((top) => list(path.join(owned.dir, top)).map((f) => top + '/' + f));
      continue;
    }
    const tree = walk(owned.dir, recorded[owned.tree] || [], folders[owned.tree] || { folders: [], ctimes: [] });
    out[owned.tree] = tree.files;
    found[owned.tree] = { folders: tree.folders, ctimes: tree.ctimes };
  }
  parentPort.postMessage({ listing: out, folders: found }, Object.values(found).map((f) => f.ctimes.buffer));
}
if (part === 'stats') stats();
else listing();
`;

function answer<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Not every run asks for every answer (a run whose inputs do not validate asks for none).
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { flushTrees, syncDirectory, writeFileDurably } from './durable.js';
import { faultPoint } from './fault-points.js';
import type { ScannedListing } from './output-scan.js';
import { StagingThread } from './staging-thread.js';

/** One folder the generator owns, under the name the render uses for it. */
export interface OwnedDir {
  readonly tree: string;
  readonly dir: string;
  /** Own only these top-level folders of it (`generate --env`); the rest is left as it is. */
  readonly only?: readonly string[];
}

/** A file as the render hands it over: its tree, its path in the tree, and what the run record keeps of it. */
export interface TreeFile {
  readonly tree: string;
  readonly path: string;
  readonly unit: string;
  readonly unitFingerprint: string;
  readonly unitInputKey: string;
  readonly fingerprint: string;
}

export interface TreeChanges {
  /** Paths (relative to the working folder) written because new or different. */
  readonly written: string[];
  /** Paths removed because nothing renders them any more. */
  readonly removed: string[];
  readonly unchanged: number;
}

interface Journal {
  /** Staged file → final place, both absolute. */
  readonly moves: [string, string][];
  readonly removals: string[];
  /** Staging folders, one next to each tree written to. */
  readonly staging: string[];
}

const JOURNAL = '.ozg-gitops-journal.json';
const STAGING_PREFIX = '.ozg-gitops-staging-';

/**
 * Replaces the owned folders with what the render hands over, file by file, so that a crash or a
 * power cut leaves either the old or the new state and the new content is never held in memory
 * as a whole. Each file put is compared with the disk (a file whose size differs is not read) and,
 * when different, staged at once under a folder next to its tree (same file system, so every
 * move is a rename), at its own path there; the comparing and staging run on a thread of their
 * own (write/staging-thread.ts). `commit` flushes the staged files, commits a journal naming every
 * move with one rename, then applies it: a staged folder whose place does not exist yet (a new
 * Kommune, an empty dist/) moves with one rename, other files one by one. A run killed after that
 * point is completed by the next run (`recoverInterruptedWrite`); one killed before leaves the old
 * trees untouched. In `check` mode nothing is staged: the writer only says what differs.
 */
export class TreeWriter {
  /** Every file put, by the index the staging thread answers with. */
  private readonly puts: { readonly owned: OwnedDir; readonly path: string; readonly target: string }[] = [];
  private readonly staging: string[] = [];
  private readonly stagingByParent = new Map<string, string>();
  private readonly stagingOf = new Map<string, string>();
  private readonly seen = new Map<string, Map<string, { file: TreeFile; kept: boolean }>>();
  private thread?: StagingThread;
  private differing?: Promise<readonly number[]>;
  private unchanged = 0;
  private removed?: string[];
  /** Per tree, the files `removed` names, relative to the tree. */
  private readonly removedInTree = new Map<string, string[]>();
  /** Per tree, the folders found when this writer listed the tree itself (no scan was given), and when it started. */
  private readonly listedFolders = new Map<string, { folders: string[]; listedAt: number }>();

  constructor(
    private readonly workDir: string,
    private readonly dirs: readonly OwnedDir[],
    private readonly mode: 'write' | 'check',
    /** The files present, when already listed (write/output-scan.ts); else the folders are listed when asked. */
    private readonly listed?: Promise<ScannedListing | undefined>,
  ) {
    for (const owned of dirs) this.seen.set(owned.tree, new Map());
  }

  /** A rendered file: compared with the disk, staged when different (on the staging thread). */
  put(file: TreeFile, content: string): void {
    if (this.differing) throw new Error('TreeWriter.put after the changes were asked for');
    const owned = this.ownedDir(file.tree);
    const target = path.join(owned.dir, file.path);
    this.seen.get(file.tree)!.set(file.path, { file, kept: false });
    const put = { owned, path: file.path, target };
    this.thread ??= new StagingThread();
    this.thread.send(this.puts.push(put) - 1, target, this.mode === 'write' ? this.stagedPath(put) : null, content);
  }

  /** A file the run record proves to be in place as it should be. */
  keep(file: TreeFile): void {
    this.seen.get(file.tree)!.set(file.path, { file, kept: true });
    this.unchanged++;
  }

  /** Every file of this run by tree, with whether it was kept untouched. */
  files(): ReadonlyMap<string, ReadonlyMap<string, { readonly file: TreeFile; readonly kept: boolean }>> {
    return this.seen;
  }

  /**
   * What the commit will do: the files written, and the files on disk that this run did not
   * render. Ask once every file is put or kept; the folders are listed once. Rejects with the
   * first error of staging (E_WRITE for a full disk and the like; the output is unchanged).
   */
  async changes(): Promise<TreeChanges> {
    const differing = await this.differingPuts();
    if (!this.removed) {
      const removed: string[] = [];
      const listed = await this.listed;
      for (const owned of this.dirs) {
        const seen = this.seen.get(owned.tree)!;
        const inTree: string[] = [];
        for (const file of listed?.get(owned.tree) ?? this.listOwned(owned)) if (!seen.has(file)) inTree.push(file);
        for (const file of inTree) removed.push(rel(this.workDir, path.join(owned.dir, file)));
        this.removedInTree.set(owned.tree, inTree);
      }
      this.removed = removed.sort();
    }
    const written = differing.map((i) => rel(this.workDir, this.puts[i]!.target)).sort();
    return { written, removed: this.removed, unchanged: this.unchanged + this.puts.length - differing.length };
  }

  /**
   * Per tree, the folders present before the commit, when this writer listed them itself (ask
   * after `changes`), with their ctimes as the output scan gives them: stat-ed now, and known only
   * for a folder unchanged since two seconds before the listing began (its entries are the listed
   * ones). Folders in `touched` are left unknown: the run record stats those itself.
   */
  foldersListed(touched: ReadonlyMap<string, ReadonlySet<string>>): Map<string, { folders: string[]; ctimes: Float64Array }> {
    const out = new Map<string, { folders: string[]; ctimes: Float64Array }>();
    for (const [tree, { folders, listedAt }] of this.listedFolders) {
      const dir = this.ownedDir(tree).dir;
      const ctimes = new Float64Array(folders.length).fill(-1);
      folders.forEach((folder, i) => {
        if (touched.get(tree)?.has(folder)) return;
        const ctime = statSync(path.join(dir, folder), { throwIfNoEntry: false })?.ctimeMs;
        if (ctime !== undefined && ctime < listedAt - 2000) ctimes[i] = ctime;
      });
      out.set(tree, { folders, ctimes });
    }
    return out;
  }

  /** The files of an owned folder (only its owned top-level folders, with `only`), relative to it; the folders of a whole tree are kept. */
  private listOwned(owned: OwnedDir): Set<string> {
    if (owned.only) {
      const out = new Set<string>();
      for (const top of owned.only) for (const file of listTree(path.join(owned.dir, top)).files) out.add(`${top}/${file}`);
      return out;
    }
    const listedAt = Date.now();
    const { files, folders } = listTree(owned.dir);
    this.listedFolders.set(owned.tree, { folders, listedAt });
    return files;
  }

  /**
   * Per tree, every folder at or above a file that differs or goes ('' the tree itself): the
   * folders whose entries a commit of these changes may change. Ask after `changes`.
   */
  async touchedFolders(): Promise<Map<string, Set<string>>> {
    const differing = await this.differingPuts();
    const touched = new Map(this.dirs.map((d) => [d.tree, new Set<string>()]));
    const touch = (tree: string, file: string) => {
      const folders = touched.get(tree)!;
      folders.add('');
      for (let cut = file.lastIndexOf('/'); cut > 0; cut = file.lastIndexOf('/', cut - 1)) {
        const folder = file.slice(0, cut);
        // Its own folders above were added with it.
        if (folders.has(folder)) break;
        folders.add(folder);
      }
    };
    for (const i of differing) touch(this.puts[i]!.owned.tree, this.puts[i]!.path);
    for (const [tree, files] of this.removedInTree) for (const file of files) touch(tree, file);
    return touched;
  }

  /** Makes the staged files and the removals the new state (see the class comment). */
  async commit(): Promise<TreeChanges> {
    const changes = await this.changes();
    if (this.mode === 'check' || (changes.written.length === 0 && changes.removed.length === 0)) {
      await this.discard();
      return changes;
    }
    const differing = await this.differingPuts();
    let journal: Journal;
    try {
      journal = { moves: this.moves(differing), removals: changes.removed.map((r) => path.resolve(this.workDir, r)), staging: this.staging };
      flushTrees(journal.staging, () => differing.map((i) => this.stagedPath(this.puts[i]!)));
      commitJournal(this.workDir, journal);
    } catch (error) {
      // Before the commit point nothing in the trees has changed: drop what was staged and say so.
      await this.discard();
      rmSync(path.join(this.workDir, `${JOURNAL}.${process.pid}.tmp`), { force: true });
      throw writeError(error, 'the output is unchanged');
    }
    faultPoint('commit', 1);
    try {
      await applyJournal(this.workDir, journal);
    } catch (error) {
      throw writeError(error, 'the write was interrupted after its commit point; the next ozg-gitops generate completes it');
    }
    return changes;
  }

  /** Stops the staging thread and drops everything staged: the trees stay as they are. */
  async discard(): Promise<void> {
    await this.thread?.stop();
    for (const dir of this.staging) rmSync(dir, { recursive: true, force: true });
  }

  /** Waits for the staging thread: the puts that differ from the disk, in the order put. */
  private differingPuts(): Promise<readonly number[]> {
    this.differing ??= (this.thread?.finish() ?? Promise.resolve([])).catch(async (error: unknown) => {
      await this.discard();
      throw writeError(error, 'the output is unchanged');
    });
    return this.differing;
  }

  private stagedPath(put: { readonly owned: OwnedDir; readonly path: string }): string {
    return path.join(this.stagingFor(put.owned), put.path);
  }

  /**
   * The journal's moves: a file whose folder exists moves by itself; below the topmost folder
   * that does not exist yet, everything is new, so that folder moves as a whole (one rename for
   * a new Kommune's folder, or for a whole tree into an empty place).
   */
  private moves(differing: readonly number[]): [string, string][] {
    const exists = new Map<string, boolean>();
    const dirExists = (dir: string) => {
      let known = exists.get(dir);
      if (known === undefined) exists.set(dir, (known = existsSync(dir)));
      return known;
    };
    const moves: [string, string][] = [];
    const movedDirs = new Set<string>();
    for (const i of differing) {
      const put = this.puts[i]!;
      let newDir: string | undefined = dirExists(put.owned.dir) ? undefined : '';
      const parts = put.path.split('/').slice(0, -1);
      for (let depth = 1; newDir === undefined && depth <= parts.length; depth++) {
        const dir = parts.slice(0, depth).join('/');
        if (!dirExists(path.join(put.owned.dir, dir))) newDir = dir;
      }
      if (newDir === undefined) moves.push([this.stagedPath(put), put.target]);
      else if (!movedDirs.has(`${put.owned.tree}\0${newDir}`)) {
        movedDirs.add(`${put.owned.tree}\0${newDir}`);
        moves.push([path.join(this.stagingFor(put.owned), newDir), path.join(put.owned.dir, newDir)]);
      }
    }
    return moves;
  }

  private ownedDir(tree: string): OwnedDir {
    const owned = this.dirs.find((d) => d.tree === tree);
    if (!owned) throw new Error(`no output folder for the ${tree} tree`);
    return owned;
  }

  /** A tree's folder in the staging folder of its file system (one per file system), decided once per tree. */
  private stagingFor(owned: OwnedDir): string {
    const known = this.stagingOf.get(owned.tree);
    if (known) return known;
    const parent = stagingParent(this.workDir, owned.dir);
    let staging = this.stagingByParent.get(parent);
    if (!staging) {
      staging = path.join(parent, `${STAGING_PREFIX}${process.pid}-${this.stagingByParent.size}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      this.stagingByParent.set(parent, staging);
      this.staging.push(staging);
    }
    const treeStaging = path.join(staging, owned.tree);
    this.stagingOf.set(owned.tree, treeStaging);
    return treeStaging;
  }
}

/**
 * Where a tree's new files are staged: the working folder when it is on the tree's file system
 * (rename(2) cannot cross file systems: EXDEV), otherwise the folder that holds the tree.
 */
function stagingParent(workDir: string, treeDir: string): string {
  let existing = treeDir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (statSync(existing).dev === statSync(workDir).dev) return workDir;
  mkdirSync(path.dirname(treeDir), { recursive: true });
  return path.dirname(treeDir);
}

function writeError(error: unknown, state: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (typeof e.code !== 'string') return error as Error;
  const why: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EROFS: 'the file system is read-only', EMFILE: 'too many open files', EXDEV: 'a move crossed file systems' };
  return new UserError(`cannot write ${e.path ?? 'the output'}: ${why[e.code] ?? e.code}; ${state}`, 1, [], 'E_WRITE');
}

/**
 * Completes a write that was killed after its journal was committed, and removes staging that an
 * interrupted run left before its commit point (next to any of `treeDirs`). Recovery either
 * finishes (every staged file that still exists is moved; moving is idempotent) or, when the
 * journal cannot be read, rolls back by discarding what was staged.
 */
export async function recoverInterruptedWrite(workDir: string, treeDirs: readonly string[] = []): Promise<boolean> {
  const journalPath = path.join(workDir, JOURNAL);
  let recovered = false;
  if (existsSync(journalPath)) {
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
      if (!Array.isArray(journal.moves) || !Array.isArray(journal.removals) || !Array.isArray(journal.staging)) journal = undefined;
    } catch {
      journal = undefined;
    }
    if (journal) {
      await applyJournal(workDir, journal);
      recovered = true;
    } else {
      // Only a journal of an older version, or a damaged disk, gets here: the old trees stand.
      rmSync(journalPath, { force: true });
    }
  }
  for (const dir of new Set([workDir, ...treeDirs.map((d) => path.dirname(d))])) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.startsWith(STAGING_PREFIX)) rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
  return recovered;
}

function commitJournal(workDir: string, journal: Journal): void {
  const tmp = path.join(workDir, `${JOURNAL}.${process.pid}.tmp`);
  writeFileDurably(tmp, JSON.stringify(journal));
  // The commit point: before this rename the old trees stand, after it the new ones will.
  renameSync(tmp, path.join(workDir, JOURNAL));
  syncDirectory(workDir);
}

async function applyJournal(workDir: string, journal: Journal): Promise<void> {
  // Synchronous on purpose: tens of thousands of renames run several times faster than with promises.
  const madeDirs = new Set<string>();
  let n = 0;
  for (const [staged, target] of journal.moves) {
    if (!existsSync(staged)) continue; // already moved by an earlier, interrupted attempt
    const dir = path.dirname(target);
    if (!madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    renameSync(staged, target);
    faultPoint('move', ++n);
  }
  n = 0;
  for (const file of journal.removals) {
    rmSync(file, { force: true });
    removeEmptyParents(path.dirname(file), workDir);
    faultPoint('remove', ++n);
  }
  // The moves must be on the device before the journal that would redo them is gone.
  flushTrees([workDir, ...journal.staging.map((s) => path.dirname(s))], () => journal.moves.map(([, target]) => target));
  rmSync(path.join(workDir, JOURNAL), { force: true });
  for (const dir of journal.staging) rmSync(dir, { recursive: true, force: true });
}

function removeEmptyParents(dir: string, stopAt: string): void {
  let current = dir;
  while (current.startsWith(stopAt) && current !== stopAt) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

/** Every file under `dir`, relative, with forward slashes. */
export async function listFiles(dir: string): Promise<Set<string>> {
  return listTree(dir).files;
}

/** Every file and folder under `dir` ('' is `dir` itself), relative, with forward slashes. Synchronous: tens of thousands of entries list several times faster. */
function listTree(dir: string): { files: Set<string>; folders: string[] } {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: new Set(), folders: [] };
    throw error;
  }
  const files = new Set<string>();
  const folders = [''];
  for (const e of entries) {
    if (e.isFile()) files.add(rel(dir, path.join(e.parentPath, e.name)));
    else if (e.isDirectory()) folders.push(rel(dir, path.join(e.parentPath, e.name)));
  }
  return { files, folders };
}

function rel(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}


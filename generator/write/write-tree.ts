import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { flushTrees, syncDirectory, writeFileDurably } from './durable.js';
import { faultPoint } from './fault-points.js';

/** One folder the generator owns completely, and the files that should be in it. */
export interface OwnedTree {
  readonly dir: string;
  /** Path relative to `dir` → content. */
  readonly files: ReadonlyMap<string, string>;
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
 * Compares each tree with what is on disk. Synchronous reads on purpose: for tens of thousands of
 * small files they are several times faster than promises, and a file whose size differs is not
 * read at all.
 */
export async function diffTrees(trees: readonly OwnedTree[], relativeTo: string): Promise<TreeChanges> {
  const written: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const tree of trees) {
    const existing = await listFiles(tree.dir);
    for (const [file, content] of tree.files) {
      const full = path.join(tree.dir, file);
      if (existing.has(file) && sameContent(full, content)) unchanged++;
      else written.push(rel(relativeTo, full));
    }
    for (const file of existing) if (!tree.files.has(file)) removed.push(rel(relativeTo, path.join(tree.dir, file)));
  }
  return { written: written.sort(), removed: removed.sort(), unchanged };
}

function sameContent(file: string, content: string): boolean {
  const size = Buffer.byteLength(content);
  if (statSync(file).size !== size) return false;
  return readFileSync(file, 'utf8') === content;
}

/**
 * Replaces the trees with the given files so that a crash or a power cut leaves either the old or
 * the new state. New content is staged in a folder next to each tree (same file system, so every
 * move is a rename), flushed to the device, and a journal naming every move is committed with one
 * rename, then applied. A run killed after that point is completed by the next run
 * (`recoverInterruptedWrite`); one killed before leaves the old trees untouched.
 * Only files whose bytes differ are written.
 */
export async function writeTrees(workDir: string, trees: readonly OwnedTree[]): Promise<TreeChanges> {
  const changes = await diffTrees(trees, workDir);
  if (changes.written.length === 0 && changes.removed.length === 0) return changes;
  const moves: [string, string][] = [];
  const journal: Journal = { moves, removals: changes.removed.map((r) => path.resolve(workDir, r)), staging: [] };
  const treeOf = (target: string) => trees.find((t) => target.startsWith(t.dir + path.sep))!;
  // One staging folder per file system the trees are on, decided once per tree (not per file).
  const stagingByParent = new Map<string, string>();
  const stagingOf = new Map<OwnedTree, string>();
  const stagingFor = (tree: OwnedTree): string => {
    let staging = stagingOf.get(tree);
    if (staging) return staging;
    const parent = stagingParent(workDir, tree.dir);
    staging = stagingByParent.get(parent);
    if (!staging) {
      staging = path.join(parent, `${STAGING_PREFIX}${process.pid}-${stagingByParent.size}`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      stagingByParent.set(parent, staging);
      journal.staging.push(staging);
    }
    stagingOf.set(tree, staging);
    return staging;
  };
  try {
    let n = 0;
    for (const relPath of changes.written) {
      const target = path.resolve(workDir, relPath);
      const tree = treeOf(target);
      const staging = stagingFor(tree);
      const staged = path.join(staging, String(n++));
      writeFileSync(staged, tree.files.get(path.relative(tree.dir, target).split(path.sep).join('/'))!);
      moves.push([staged, target]);
      faultPoint('stage', n);
    }
    flushTrees(journal.staging, () => moves.map(([staged]) => staged));
    commitJournal(workDir, journal);
  } catch (error) {
    // Before the commit point nothing in the trees has changed: drop what was staged and say so.
    for (const dir of journal.staging) rmSync(dir, { recursive: true, force: true });
    rmSync(path.join(workDir, `${JOURNAL}.${process.pid}.tmp`), { force: true });
    throw writeError(error, 'the output is unchanged');
  }
  faultPoint('commit', 1);
  try {
    await applyJournal(workDir, journal);
  } catch (error) {
    throw writeError(error, 'the write was interrupted after its commit point; the next ozg-gitops generate completes it');
  }
  return changes;
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
  const madeDirs = new Set<string>();
  let n = 0;
  for (const [staged, target] of journal.moves) {
    if (!existsSync(staged)) continue; // already moved by an earlier, interrupted attempt
    const dir = path.dirname(target);
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    await rename(staged, target);
    faultPoint('move', ++n);
  }
  n = 0;
  for (const file of journal.removals) {
    await rm(file, { force: true });
    await removeEmptyParents(path.dirname(file), workDir);
    faultPoint('remove', ++n);
  }
  // The moves must be on the device before the journal that would redo them is gone.
  flushTrees([workDir, ...journal.staging.map((s) => path.dirname(s))], () => journal.moves.map(([, target]) => target));
  rmSync(path.join(workDir, JOURNAL), { force: true });
  for (const dir of journal.staging) rmSync(dir, { recursive: true, force: true });
}

async function removeEmptyParents(dir: string, stopAt: string): Promise<void> {
  let current = dir;
  while (current.startsWith(stopAt) && current !== stopAt) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

/** Every file under `dir`, relative, with forward slashes. Synchronous: tens of thousands of entries list several times faster. */
export async function listFiles(dir: string): Promise<Set<string>> {
  try {
    const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
    const out = new Set<string>();
    for (const e of entries) if (e.isFile()) out.add(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    return out;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}

function rel(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}


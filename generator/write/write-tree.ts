import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../diagnostics.js';

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
  readonly staging: string;
}

const JOURNAL = '.ozg-gitops-journal.json';
const LOCK = '.ozg-gitops.lock';

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
 * Replaces the trees with the given files so that a crash leaves either the old or the new
 * state: new content is staged next to the trees, a journal naming every move is committed with
 * one rename, then applied. A run killed after that point is completed by the next run
 * (`recoverInterruptedWrite`); one killed before leaves the old trees untouched.
 * Only files whose bytes differ are written.
 */
export async function writeTrees(workDir: string, trees: readonly OwnedTree[]): Promise<TreeChanges> {
  const changes = await diffTrees(trees, workDir);
  if (changes.written.length === 0 && changes.removed.length === 0) return changes;
  const staging = path.join(workDir, `.ozg-gitops-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  const moves: [string, string][] = [];
  const byFull = new Map<string, string>();
  for (const tree of trees) for (const [file, content] of tree.files) byFull.set(path.join(tree.dir, file), content);
  const journal: Journal = { moves, removals: changes.removed.map((r) => path.resolve(workDir, r)), staging };
  try {
    await mkdir(staging, { recursive: true });
    let n = 0;
    for (const relPath of changes.written) {
      const target = path.resolve(workDir, relPath);
      const staged = path.join(staging, String(n++));
      writeFileSync(staged, byFull.get(target)!);
      moves.push([staged, target]);
    }
    await commitJournal(workDir, journal);
  } catch (error) {
    // Before the commit point nothing in the trees has changed: drop what was staged and say so.
    await rm(staging, { recursive: true, force: true });
    await rm(path.join(workDir, `${JOURNAL}.${process.pid}.tmp`), { force: true });
    throw writeError(error, 'the output is unchanged');
  }
  try {
    await applyJournal(workDir, journal);
  } catch (error) {
    throw writeError(error, 'the write was interrupted after its commit point; the next ozg-gitops generate completes it');
  }
  return changes;
}

function writeError(error: unknown, state: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (!e.code) return error as Error;
  const why: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EROFS: 'the file system is read-only', EMFILE: 'too many open files' };
  return new UserError(`cannot write ${e.path ?? 'the output'}: ${why[e.code] ?? e.code}; ${state}`, 1, [], 'E_WRITE');
}

/** Completes a write that was killed after its journal was committed; removes abandoned staging. */
export async function recoverInterruptedWrite(workDir: string): Promise<boolean> {
  const journalPath = path.join(workDir, JOURNAL);
  let recovered = false;
  if (existsSync(journalPath)) {
    const journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
    await applyJournal(workDir, journal);
    recovered = true;
  }
  for (const entry of await readdir(workDir)) {
    if (entry.startsWith('.ozg-gitops-staging-')) await rm(path.join(workDir, entry), { recursive: true, force: true });
  }
  return recovered;
}

/**
 * One generator at a time per working folder. A second one stops with a clear message; a lock
 * left by a process that no longer exists is taken over.
 */
export function acquireLock(workDir: string): () => void {
  const lockPath = path.join(workDir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(safeRead(lockPath));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new UserError(`another ozg-gitops (pid ${holder}) is writing in ${workDir}; wait for it to finish`, 1, [], 'E_LOCKED');
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new UserError(`cannot take the lock ${lockPath}`, 1, [], 'E_LOCKED');
}

async function commitJournal(workDir: string, journal: Journal): Promise<void> {
  const tmp = path.join(workDir, `${JOURNAL}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  writeSync(fd, JSON.stringify(journal));
  fsyncSync(fd);
  closeSync(fd);
  // The commit point: before this rename the old trees stand, after it the new ones will.
  await rename(tmp, path.join(workDir, JOURNAL));
}

async function applyJournal(workDir: string, journal: Journal): Promise<void> {
  const madeDirs = new Set<string>();
  for (const [staged, target] of journal.moves) {
    if (!existsSync(staged)) continue; // already moved by an earlier, interrupted attempt
    const dir = path.dirname(target);
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    await rename(staged, target);
  }
  for (const file of journal.removals) {
    await rm(file, { force: true });
    await removeEmptyParents(path.dirname(file), workDir);
  }
  await rm(path.join(workDir, JOURNAL), { force: true });
  await rm(journal.staging, { recursive: true, force: true });
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';

/** The lock's file name, in the working folder. */
export const LOCK = '.ozg-gitops.lock';

/** Test hook: called between the steps of taking over a stale lock, to interleave two runs there. */
export interface LockHooks {
  readonly beforeTakeover?: () => void;
}

/**
 * One generator at a time per working folder. The lock is a file created with O_EXCL holding the
 * owner's pid. A lock whose owner no longer runs is taken over, and that takeover is itself
 * exclusive: only the run that creates `<lock>.takeover-<dead pid>` (O_EXCL again) may delete the
 * stale lock, and it re-reads the owner after creating that marker. Two runs that find the same
 * stale lock therefore never both end up holding it: check-delete-create without the marker can.
 */
export function acquireLock(workDir: string, hooks: LockHooks = {}): () => void {
  // `generate --out` may name a folder whose parent does not exist yet.
  mkdirSync(workDir, { recursive: true });
  const lockPath = path.join(workDir, LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(lockPath)) return () => rmSync(lockPath, { force: true });
    const holder = ownerOf(lockPath);
    if (holder === undefined) continue; // removed meanwhile: try again
    if (holder !== 0 && isAlive(holder)) throw locked(holder, workDir);
    // An empty lock younger than a second is a run between creating and writing it, not a dead one.
    if (holder === 0 && Date.now() - ageOf(lockPath) < 1000) throw locked(0, workDir);
    // The owner is gone (or the file is empty: its owner died between creating and writing it).
    const marker = `${lockPath}.takeover-${holder}`;
    hooks.beforeTakeover?.();
    if (!tryCreate(marker)) {
      const taker = ownerOf(marker);
      if (taker !== undefined && taker !== 0 && isAlive(taker)) throw locked(taker, workDir);
      // A takeover whose own run died: its marker is stale; remove it and start over.
      rmSync(marker, { force: true });
      continue;
    }
    try {
      if (ownerOf(lockPath) === holder) rmSync(lockPath, { force: true });
      if (tryCreate(lockPath)) return () => rmSync(lockPath, { force: true });
    } finally {
      rmSync(marker, { force: true });
    }
    const now = ownerOf(lockPath);
    if (now !== undefined && now !== 0 && isAlive(now)) throw locked(now, workDir);
  }
  throw new UserError(`cannot take the lock ${lockPath}; if no ozg-gitops is running, delete it`, 1, [], 'E_LOCKED');
}

function locked(pid: number, workDir: string): UserError {
  return new UserError(`another ozg-gitops (${pid ? `pid ${pid}` : 'just starting'}) is writing in ${workDir}; wait for it to finish`, 1, [], 'E_LOCKED');
}

function ageOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Creates `file` with our pid; false when it already exists. */
function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The pid in a lock file; 0 when it is empty or unreadable as a pid; undefined when the file is gone. */
function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

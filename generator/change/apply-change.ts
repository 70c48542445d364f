import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hasErrors, UserError } from '../diagnostics.js';
import { generate } from '../generate.js';
import type { SimpleGit } from 'simple-git';
import { checkNewBranch, commitTree, createBranch, currentBranch, openRepo, pushBranch, stagePaths, startCleanTreeCheck, type PushResult } from '../git/repo.js';
import { withContents } from '../load/input-source.js';
import { ParseCache } from '../load/parse-cache.js';
import { acquireLock } from '../write/lock.js';
import { ownedDirs, prepareGenerate, type PreparedGenerate } from '../write/run-record.js';
import { formatPlan } from '../plan/format.js';
import { planChange, type Plan } from '../plan/plan.js';
import { settled, valueOf, type Settled } from '../settled.js';
import { writeAtomically } from '../write/durable.js';
import type { TreeChanges } from '../write/write-tree.js';

export interface ChangeOptions {
  readonly root: string;
  /** New text per input file (relative to root); a file that does not exist yet is added. */
  readonly edits: ReadonlyMap<string, string>;
  /** Create this branch and commit the input and rendered change together. */
  readonly branch?: string;
  /** Push the branch to this remote with merge-request push options (implies a branch). */
  readonly push?: string;
  readonly title: string;
  readonly labels: readonly string[];
  readonly today: string;
}

export interface ChangeResult {
  readonly files: readonly string[];
  readonly plan?: Plan;
  readonly commit?: string;
  readonly push?: PushResult;
}

/**
 * Applies edits to input files as one reviewable change: write, re-render dist/ (with every
 * check and guard), then optionally commit on a new branch and push it as a merge request.
 * Any failure leaves the working tree and the checked-out branch as they were.
 */
export async function applyInputChange(options: ChangeOptions): Promise<ChangeResult> {
  const git = openRepo(options.root);
  const wantsGit = Boolean(options.branch || options.push);
  const original = wantsGit ? await currentBranch(git) : undefined;
  // The commit the change starts from: the plan's base and its commit's parent.
  const start = wantsGit ? settled(git.revparse(['HEAD']).then((out) => out.trim())) : undefined;
  const workDir = path.resolve(options.root);
  const identity = { root: options.root, outDir: path.join(workDir, 'dist'), bootstrapDir: path.join(workDir, 'argocd'), today: options.today };
  // The output trees by name, relative to the root (the paths git and the output scan give).
  const outputFolders = new Map(ownedDirs(identity).map((owned) => [owned.tree, path.relative(workDir, owned.dir).split(path.sep).join('/')]));
  // At 76,000 tracked files git takes about half a second to compare the index with the working
  // tree: meanwhile the run takes its lock and reads, without writing anything, the inputs with the
  // edits applied in memory and the output folders (whose listing then completes the check).
  const clean = wantsGit ? startCleanTreeCheck(git, ['environments', 'tenants', ...outputFolders.values()]) : undefined;
  const branchFree = options.branch ? settled(checkNewBranch(git, options.branch)) : undefined;
  // The bytes as they were (null: a file the change adds): put back on failure, and the plan's base.
  const before = new Map<string, Uint8Array | null>();
  for (const file of options.edits.keys()) before.set(file, await readFile(path.join(options.root, file)).catch(absentAsNull));
  const release = acquireLock(workDir);
  // Held only until its generate takes it: the run record and the output scan (about 40 MB at
  // 10,800 Kommunen) are garbage once the generate is done, before the plan loads its base.
  const prepared: { generate?: PreparedGenerate } = {};
  try {
    prepared.generate = await prepareGenerate(identity, new Map([...options.edits].map(([file, text]) => [file, Buffer.from(text)])));
    if (clean) await clean.finish(await filesOfChange(prepared.generate, outputFolders, before));
    if (options.push) await requireReachable(options.push, options.root);
    if (branchFree) await valueOf(branchFree);
    return await applyPrepared(options, git, original === undefined ? undefined : { branch: original, commit: await valueOf(start!) }, before, prepared);
  } finally {
    // A change stopped before its generate (a dirty tree, an unreachable remote): its output scan
    // would keep the process alive for a second or two more.
    prepared.generate?.record?.close();
    release();
  }
}

/**
 * The change on a clean tree (when it goes to git, `original`: the branch checked out and its
 * commit), its generate prepared under the lock the caller holds. git works beside this thread:
 * it creates the branch while the generate runs (two ref updates, no file touched), and once the
 * trees are written it stages the change on a thread of its own while this one writes the run
 * record and computes the plan for the commit message (at 76,000 tracked files `add` and
 * `write-tree` take 0.6 to 0.7 s; each git command started from this thread waits for its event
 * loop, 0.1 s apiece in a bump).
 */
async function applyPrepared(options: ChangeOptions, git: SimpleGit, original: { readonly branch: string; readonly commit: string } | undefined, before: ReadonlyMap<string, Uint8Array | null>, prepared: { generate?: PreparedGenerate }): Promise<ChangeResult> {
  const wantsGit = original !== undefined;
  // Set once the branch is made (or refused: someone created it since it was checked).
  let branched: Settled<void> | undefined;
  const branching = options.branch ? settled(createBranch(git, options.branch, original!.branch)).then((outcome) => (branched = outcome)) : undefined;
  const branchMade = () => branched !== undefined && 'value' in branched;
  let staging: Promise<Settled<string>> | undefined;
  const createdFolders: string[] = [];
  const undo = async () => {
    for (const [file, bytes] of before) {
      if (bytes) writeAtomically(path.join(options.root, file), bytes);
      else rmSync(path.join(options.root, file), { force: true });
    }
    // Folders made for added files (a Land's first Kommune) hold nothing else.
    for (const folder of createdFolders) rmSync(folder, { recursive: true, force: true });
    if (!wantsGit) return;
    await Promise.all([branching, staging]);
    // Back to the branch as it was, in the index and in every tracked file the change wrote.
    await git.raw(['checkout', '--quiet', '--force', original.branch]);
    if (branchMade()) await git.raw(['branch', '-D', options.branch!]);
  };
  try {
    for (const [file, text] of options.edits) {
      const created = before.get(file) === null ? mkdirSync(path.dirname(path.join(options.root, file)), { recursive: true }) : undefined;
      if (created) createdFolders.push(created);
      writeAtomically(path.join(options.root, file), text);
    }
    // One parse cache for the render and the plan: the base's unchanged files are the same documents.
    const parseCache = ParseCache.forRoot(path.resolve(options.root), options.root);
    const onWritten = (changes: TreeChanges) => {
      // The tree was clean: these files are the whole change. git matches a list of paths against
      // every index entry, so past a few hundred files the folders are faster (at 76,000 tracked
      // files: 50 listed 0.16 s, 500 listed 0.37 s, 2,000 listed 1.15 s, the folders 0.96 s).
      const files = filesOfCommit(options, changes);
      const stage = () => stagePaths(options.root, files.length <= MAX_LISTED_FILES ? files : ['environments', 'tenants', 'dist', 'argocd', 'schemas']);
      // Started now when the branch is there (the generate took longer than two ref updates), else after it.
      staging = settled(!branching || branchMade() ? stage() : valueOf(branching).then(stage));
    };
    const result = await generate({ root: options.root, today: options.today, parseCache, prepared: take(prepared), ...(wantsGit ? { onWritten, keepRendered: true } : {}) });
    if (hasErrors(result.diagnostics) || !result.changes) {
      throw new UserError('the change does not validate; nothing was changed', 1, result.diagnostics, 'E_INVALID_CHANGE');
    }
    const files = filesOfCommit(options, result.changes);
    if (!wantsGit) {
      parseCache.save();
      return { files };
    }
    // The inputs generate just loaded are the plan's working tree; the tree was clean, so with
    // the edits taken back they are HEAD's.
    const head = original.commit;
    const baseSource = result.source && withContents(result.source, `HEAD (${head.slice(0, 12)})`, before);
    const plan = await planChange({ root: options.root, base: 'HEAD', baseSource, parseCache, today: options.today, head: { fleet: result.fleet, diagnostics: result.diagnostics, inputKeys: result.inputKeys }, headRendered: result.rendered });
    parseCache.save();
    // Plain text: git strips lines starting with # as comments when a commit is amended in an editor.
    const message = `${options.title}\n\n${formatPlan(plan, 'text')}`;
    const commit = await commitTree(git, await valueOf(staging!), message, options.branch ? { parent: head, branch: options.branch } : undefined);
    let push: PushResult | undefined;
    if (options.push) {
      push = await pushBranch(git, options.push, options.branch!, {
        title: options.title,
        description: oneLineSummary(plan),
        target: original.branch,
        labels: options.labels,
      });
    }
    return { files, plan, commit, push };
  } catch (error) {
    await undo();
    throw error;
  }
}

/** The input files a change edited and the output files its generate wrote or removed, sorted. */
function filesOfCommit(options: ChangeOptions, changes: TreeChanges): string[] {
  return [...options.edits.keys(), ...changes.written, ...changes.removed].sort();
}

const MAX_LISTED_FILES = 500;

function absentAsNull(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT') return null;
  throw error;
}

/**
 * The input files and the files now in the output trees (`folders`: tree → folder), as the
 * prepared run listed them, but for the files the change adds (`before`: null); undefined without
 * an output scan.
 */
async function filesOfChange(prepared: PreparedGenerate, folders: ReadonlyMap<string, string>, before: ReadonlyMap<string, Uint8Array | null>): Promise<string[] | undefined> {
  const present = await prepared.record?.presentFiles();
  if (!present) return undefined;
  const files = (await prepared.source.listInputFiles()).filter((file) => before.get(file) !== null);
  for (const [tree, listed] of present) for (const file of listed) files.push(`${folders.get(tree)}/${file}`);
  return files;
}

/** The prepared generate, handed over once: whoever holds the holder no longer keeps it alive. */
function take(holder: { generate?: PreparedGenerate }): PreparedGenerate | undefined {
  const prepared = holder.generate;
  holder.generate = undefined;
  return prepared;
}

/** Push options cannot hold line breaks: the description is one line; the full plan is in the commit. */
function oneLineSummary(plan: Plan): string {
  const parts = plan.environments
    .map((e) => {
      const groups = e.layers.flatMap((l) => l.groups.slice(0, 1).map((g) => `${g.description} (${g.members.length})`));
      if (e.haltChanged && e.halted) groups.unshift(`HALTED${e.halted.apps ? ` (${e.halted.apps.join(', ')})` : ''}: ${e.halted.reason}`);
      if (e.haltChanged && e.resumed) groups.unshift(`RESUMED${e.resumed.apps ? ` (${e.resumed.apps.join(', ')})` : ''}`);
      return groups.length ? `${e.env}: ${groups.join(', ')}${e.rollout ? `, about ${e.rollout.minutes} min` : ''}` : undefined;
    })
    .filter(Boolean);
  return `${parts.join(' | ') || 'no rendered change'}. Generated by ozg-gitops; the commit message has the full plan.`;
}

async function requireReachable(remote: string, root: string): Promise<void> {
  try {
    await openRepo(root).listRemote(['--heads', remote]);
  } catch (error) {
    throw new UserError(`remote ${remote} is not reachable: ${(error as Error).message.trim().split('\n')[0]}`, 1, [], 'E_REMOTE_UNREACHABLE');
  }
}



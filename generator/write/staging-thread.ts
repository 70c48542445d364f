import { Worker } from 'node:worker_threads';
import { requestedFault } from './fault-points.js';

/**
 * Compares rendered files with the disk and stages the ones that differ, on a thread of its own,
 * while the main thread renders the next ones. At nationwide scale that is 65,000 stats and
 * writes, about 6 s of system calls that otherwise run one after another with the render.
 *
 * Written by hand for speed as a small inline worker, like write/output-scan.ts: it loads no
 * module of the generator. It compares and writes exactly as `sameContent` and `writeFileSync`
 * did on the main thread (a file whose size differs is not read).
 *
 * The main thread waits (Atomics.wait) while more than `MAX_QUEUED` characters are queued, so
 * memory stays bounded when the disk is slower than the render.
 */
export class StagingThread {
  private readonly worker: Worker;
  /** [0]: characters queued and not yet handled by the thread. */
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private batch: [index: number, target: string, staged: string | null, content: string][] = [];
  private batchChars = 0;
  private sent = 0;
  private answered = 0;
  private readonly differing: number[] = [];
  private failure?: Error;
  private waiting?: { resolve: () => void; reject: (error: Error) => void };

  constructor() {
    this.worker = new Worker(STAGING_WORKER, { eval: true, workerData: { state: this.state.buffer, fault: requestedFault('stage') ?? null }, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    this.worker.on('message', (message: { differing?: number[]; error?: { code?: string; path?: string; message: string } }) => {
      if (message.error) this.fail(Object.assign(new Error(message.error.message), { code: message.error.code, path: message.error.path }));
      if (message.differing) {
        this.answered++;
        for (const i of message.differing) this.differing.push(i);
        if (this.answered === this.sent) this.waiting?.resolve();
      }
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => this.fail(new Error('the staging thread ended before it was done')));
  }

  /** Compares `content` with `target`; when it differs, writes it to `staged` (null: compare only). */
  send(index: number, target: string, staged: string | null, content: string): void {
    this.batch.push([index, target, staged, content]);
    this.batchChars += content.length;
    if (this.batch.length >= BATCH_FILES || this.batchChars >= BATCH_CHARS) this.flush();
  }

  /** The indices of the files that differ from the disk, in the order sent; rejects with the first write error. */
  async finish(): Promise<readonly number[]> {
    this.flush();
    if (this.failure) throw this.failure;
    if (this.answered < this.sent) {
      await new Promise<void>((resolve, reject) => {
        this.waiting = { resolve, reject };
      });
    }
    await this.stop();
    return this.differing;
  }

  /** Ends the thread; nothing it writes after this returns. */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    Atomics.add(this.state, 0, this.batchChars);
    this.worker.postMessage(this.batch);
    this.sent++;
    this.batch = [];
    this.batchChars = 0;
    // A thread that has died answers no more; after STALLED_MS without progress stop waiting and
    // let `finish` report why.
    let queued = Atomics.load(this.state, 0);
    while (queued > MAX_QUEUED) {
      if (Atomics.wait(this.state, 0, queued, STALLED_MS) === 'timed-out') break;
      queued = Atomics.load(this.state, 0);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiting?.reject(this.failure);
  }
}

const BATCH_FILES = 256;
const BATCH_CHARS = 1 << 18;
const MAX_QUEUED = 4 << 20;
const STALLED_MS = 10_000;

const STAGING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const state = new Int32Array(workerData.state);
const fault = workerData.fault;
const made = new Set();
let staged = 0;
let failed = false;
function sameContent(file, content) {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat || stat.size !== Buffer.byteLength(content)) return false;
  return readFileSync(file, 'utf8') === content;
}
parentPort.on('message', (batch) => {
  const differing = [];
  let chars = 0;
  for (const [index, target, stage, content] of batch) {
    chars += content.length;
    if (failed) continue;
    try {
      if (sameContent(target, content)) continue;
      differing.push(index);
      if (stage === null) continue;
      const dir = path.dirname(stage);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(stage, content);
      if (fault && ++staged === fault.n) process.kill(process.pid, fault.signal);
    } catch (error) {
      failed = true;
      parentPort.postMessage({ error: { code: error.code, path: error.path, message: error.message } });
    }
  }
  Atomics.sub(state, 0, chars);
  Atomics.notify(state, 0);
  parentPort.postMessage({ differing });
});
`;

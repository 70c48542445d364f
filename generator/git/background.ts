import { Worker } from 'node:worker_threads';

/**
 * Runs git commands one after the other on a thread of its own and gives their outputs. A child
 * process started from this thread runs on its own, but the next one starts only when this
 * thread's event loop sees the last one end: behind a second of synchronous work (a change's
 * plan), a chain of git commands here would wait for all of it. Written by hand as a small inline
 * worker, like write/staging-thread.ts: it loads no module of the generator.
 * A failure rejects with git's own message (its standard error) and leaves the rest unrun.
 */
export function gitInBackground(cwd: string, commands: readonly (readonly string[])[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const worker = new Worker(GIT_WORKER, { eval: true, workerData: { cwd, commands }, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    worker.on('message', (message: { outputs?: string[]; error?: string }) => {
      answered = true;
      if (message.outputs) resolve(message.outputs);
      else reject(new Error(message.error));
    });
    worker.on('error', (error) => {
      answered = true;
      reject(error);
    });
    worker.on('exit', () => {
      if (!answered) reject(new Error('the git thread ended before it was done'));
    });
  });
}

const GIT_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
const outputs = [];
try {
  for (const args of workerData.commands) {
    outputs.push(execFileSync('git', args, { cwd: workerData.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }));
  }
  parentPort.postMessage({ outputs });
} catch (error) {
  const stderr = String(error.stderr ?? '').trim();
  parentPort.postMessage({ error: stderr || error.message });
}
`;

import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedEnvironment } from '../model/resolve.js';
import { KommuneTemplates } from './kommune-files.js';
import { runTask, type Task } from './render-kommunen.js';

/** A render worker: receives the environments once, then slices of Kommunen to render. */
const { envs } = workerData as { envs: ResolvedEnvironment[] };
const templates = new KommuneTemplates();
parentPort!.on('message', (task: Task) => parentPort!.postMessage(runTask(envs, task, templates)));

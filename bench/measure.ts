import { runCli } from '../generator/cli/main.js';

/** Runs one CLI invocation and prints its wall time and the process's peak RSS (workers included) as JSON. */
const started = performance.now();
const code = await runCli(process.argv.slice(2), { out: () => undefined, err: () => undefined, isTTY: false });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ code, ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

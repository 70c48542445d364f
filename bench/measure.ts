import { runWithHeapBudget } from '../generator/cli/main.js';

/**
 * Runs one CLI invocation as the installed command runs it (on its worker thread, with its heap
 * budget) and prints, as the last line, its wall time and the process's peak RSS (workers
 * included) as JSON.
 */
const started = performance.now();
const code = await runWithHeapBudget(process.argv.slice(2));
const ms = performance.now() - started;
process.stdout.write(`\n${JSON.stringify({ code, ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

/**
 * Runs one CLI invocation as the installed command runs it (the bundle package.json's bin names,
 * on its worker thread, with its heap budget) and prints, as the last line, its wall time and the
 * process's peak RSS (workers included) as JSON.
 */
const started = performance.now();
// Loaded inside the measured time, as the installed command loads it.
const { runWithHeapBudget } = (await import(new URL('../cli/ozg-gitops.js', import.meta.url).href)) as typeof import('../generator/cli/main.js');
const code = await runWithHeapBudget(process.argv.slice(2));
const ms = performance.now() - started;
process.stdout.write(`\n${JSON.stringify({ code, ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

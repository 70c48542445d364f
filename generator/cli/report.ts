import path from 'node:path';
import type { Command } from 'commander';
import { writeAtomically } from '../write/durable.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { existingDir, outputPath } from './options.js';

export async function runReport(o: { root: string; out: string }, io: Io): Promise<number> {
  const [{ directorySource }, { loadFleet, today }, { renderFleetReport }, { reportData }] = await Promise.all([
    import('../load/input-source.js'),
    import('../pipeline.js'),
    import('../report/fleet-report.js'),
    import('../report/report-data.js'),
  ]);
  const asOf = today();
  const { fleet, diagnostics } = await loadFleet(directorySource(o.root), asOf);
  if (!fleet) {
    printDiagnostics(io, diagnostics);
    return EXIT.invalid;
  }
  const html = renderFleetReport(reportData(fleet, asOf));
  writeAtomically(o.out, html);
  const kommunen = new Set(fleet.environments.flatMap((e) => e.kommunen.map((k) => k.id))).size;
  io.out(`wrote ${path.relative(process.cwd(), o.out) || o.out}: ${kommunen} Kommunen in ${fleet.environments.length} environments, ${Math.round(html.length / 1024)} KiB`);
  return EXIT.ok;
}

export function registerReport(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  program
    .command('report')
    .description('one self-contained HTML page with the fleet at a glance: Kommune × app versions per environment, waves, Länder, clusters, exceptions')
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .option('--out <file>', 'where the page goes', outputPath, 'fleet-report.html')
    .action((opts: { root: string; out: string }) => run(runReport({ root: path.resolve(opts.root), out: path.resolve(opts.out) }, io)));
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { hasErrors, UserError } from '../diagnostics.js';
import { today } from '../clock.js';
import type { OnboardCandidate, OnboardOptions } from '../onboard/onboard.js';
import { reportChange } from './changes.js';
import { EXIT, printDiagnostics, type Io } from './io.js';
import { ags, email, existingDir, inputFile, name, nameList, requireEnvironments, text } from './options.js';

interface CommonFlags {
  root: string;
  env: string[];
  kind?: string;
  wave?: string;
  size?: string;
  contactEmail?: string;
  branch?: boolean;
  push?: string;
}

function onboardOptions(flags: CommonFlags, id?: string): OnboardOptions {
  const environments = flags.env;
  requireEnvironments(path.resolve(flags.root), '--env', environments);
  return { root: path.resolve(flags.root), environments, kind: flags.kind, wave: flags.wave, size: flags.size, contactEmail: flags.contactEmail, id, today: today() };
}

async function onboard(candidates: OnboardCandidate[], options: OnboardOptions, io: Io, flags: CommonFlags): Promise<number> {
  if (flags.branch || flags.push) {
    const { onboardAsChange } = await import('../change/onboard.js');
    const result = await onboardAsChange(candidates, { ...options, branch: flags.branch, push: flags.push });
    return reportChange(io, result.title, result);
  }
  const { onboardKommunen } = await import('../onboard/onboard.js');
  const result = await onboardKommunen(candidates, options);
  printDiagnostics(io, result.diagnostics, 20);
  if (hasErrors(result.diagnostics)) {
    io.err('nothing was written');
    return EXIT.invalid;
  }
  for (const file of result.written) io.out(`wrote ${file}`);
  io.out(`${result.written.length} Kommune(n) onboarded; run \`ozg-gitops generate\` to render them`);
  return EXIT.ok;
}

export async function runTenantAdd(flags: CommonFlags & { ags: string; name: string; id?: string }, io: Io): Promise<number> {
  return onboard([{ ags: flags.ags, name: flags.name }], onboardOptions(flags, flags.id), io, flags);
}

export async function runTenantImport(file: string, flags: CommonFlags, io: Io): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.invalid, [], 'E_UNREADABLE');
  }
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  const { parseKommuneCsv } = await import('../onboard/csv.js');
  const { rows, diagnostics } = parseKommuneCsv(shown, bytes);
  if (hasErrors(diagnostics)) {
    printDiagnostics(io, diagnostics);
    io.err('nothing was written');
    return EXIT.invalid;
  }
  return onboard(rows.map((r) => ({ ags: r.ags, name: r.name, origin: { file: shown, line: r.line } })), onboardOptions(flags), io, flags);
}

function withCommonFlags(command: Command): Command {
  return command
    .option('--root <dir>', 'folder holding environments/ and tenants/', existingDir, '.')
    .requiredOption('--env <names...>', 'environments, comma-separated or repeated, e.g. test,prod', nameList('environment'))
    .addOption(new Option('--kind <kind>', 'kind of administration').choices(['Stadt', 'Gemeinde', 'Amt', 'Kreis', 'Landesbehoerde', 'Ministerium']))
    .option('--wave <wave>', 'rollout wave (default: the environment default)', name('a wave name', 'early'))
    .option('--size <size>', 'size profile (default: the environment default)', name('a size name', 'm'))
    .option('--contact-email <email>', 'e-mail of the Kommune\'s administrator', email)
    .option('--branch', 'render the Kommunen too and commit files and output on a new branch onboard/<id>')
    .option('--push <remote>', 'push the branch with GitLab merge-request push options (implies --branch)', text);
}

export function registerTenant(program: Command, io: Io, run: (code: Promise<number>) => void): void {
  const tenant = program.command('tenant').description('onboard Kommunen');
  withCommonFlags(
    tenant
      .command('add')
      .description('write tenants/<land>/<id>.yaml for one Kommune, after validating it with the fleet')
      .requiredOption('--ags <ags>', '8-digit Amtlicher Gemeindeschlüssel', ags)
      .requiredOption('--name <name>', 'display name, e.g. "Landeshauptstadt Kiel"', text)
      .option('--id <id>', 'id to use instead of the one derived from the name', name('an id: Land code and name', 'sh-kiel')),
  ).action((flags: CommonFlags & { ags: string; name: string; id?: string }) => run(runTenantAdd(flags, io)));
  withCommonFlags(
    tenant
      .command('import')
      .description('onboard many Kommunen from a ;-separated UTF-8 CSV with the header ags;name')
      .argument('<file>', 'the CSV file', inputFile),
  ).action((file: string, flags: CommonFlags) => run(runTenantImport(file, flags, io)));
  tenant.exitOverride();
  for (const c of tenant.commands) c.exitOverride();
}

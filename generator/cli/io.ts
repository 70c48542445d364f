import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';

/** Where a command prints; tests pass their own to capture output. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whether stdout is a terminal (progress bars, colours). */
  readonly isTTY: boolean;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTTY: Boolean(process.stdout.isTTY),
};

export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.err(formatDiagnostic(d));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length > 0) io.err(`${errors} error(s), ${warnings} warning(s)`);
}

/** The documented exit codes of every command. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, differences: 3, internal: 70 } as const;

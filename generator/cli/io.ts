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

/**
 * Prints every error, and warnings up to `maxWarnings` (a nationwide fleet can carry hundreds of
 * harmless repeated-name warnings; `validate` shows them all).
 */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], maxWarnings = Infinity): void {
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'warning' && ++warnings > maxWarnings) continue;
    io.err(formatDiagnostic(d));
  }
  if (warnings > maxWarnings) io.err(`... and ${warnings - maxWarnings} more warnings (ozg-gitops validate lists them all)`);
  const errors = diagnostics.length - warnings;
  if (diagnostics.length > 0) io.err(`${errors} error(s), ${warnings} warning(s)`);
}

/** The documented exit codes of every command. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, differences: 3, internal: 70 } as const;

import type { Diagnostic } from '../diagnostics.js';
import type { YamlFile } from '../load/yaml-file.js';

const RENOVATE_COMMENT = /^\s*# renovate: /;

/**
 * Renovate's regex manager reads an environment file as written (renovate.json: a pin is
 * `version: <value>` on the line after its `# renovate:` comment). A quoted pin is captured with
 * its quotes and then skipped as an invalid version; with CRLF line endings the pattern finds no
 * pin at all. Both would leave a chart silently unbumped, so both are errors here.
 */
export function checkRenovatePins(yaml: YamlFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const crlf = yaml.text.indexOf('\r\n');
  if (crlf !== -1) {
    const line = yaml.text.slice(0, crlf).split('\n').length;
    out.push({ code: 'E_CRLF', severity: 'error', message: 'the file has Windows (CRLF) line endings', file: yaml.file, line, col: crlf - yaml.text.lastIndexOf('\n', crlf - 1), hint: 'save it with LF line endings (git config core.autocrlf input); Renovate finds no version pin in a CRLF file' });
  }
  const lines = yaml.text.split(/\r?\n/);
  lines.forEach((text, i) => {
    if (!RENOVATE_COMMENT.test(lines[i - 1] ?? '')) return;
    const pin = /^(\s*version:\s*)(["'])(.*)\2\s*(#.*)?$/.exec(text);
    if (pin) {
      out.push({ code: 'E_QUOTED_PIN', severity: 'error', message: `version pin ${pin[2]}${pin[3]}${pin[2]} is quoted`, file: yaml.file, line: i + 1, col: pin[1]!.length + 1, hint: `write version: ${pin[3]} without quotes; Renovate reads the quotes as part of the version and never bumps a quoted pin` });
    }
  });
  return out;
}

import { parse } from 'csv-parse/sync';
import type { Diagnostic } from '../diagnostics.js';

/** One Kommune from a Gemeindeverzeichnis-style extract, with the line it came from. */
export interface CsvKommune {
  readonly ags: string;
  readonly name: string;
  readonly line: number;
}

/** Reads a `;`-separated UTF-8 table with a header line holding at least `ags` and `name`. */
export function parseKommuneCsv(file: string, bytes: Uint8Array): { rows: CsvKommune[]; diagnostics: Diagnostic[] } {
  const at = (line: number, col: number, code: string, message: string, hint: string): Diagnostic => ({ code, severity: 'error', message, file, line, col, hint });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { rows: [], diagnostics: [at(1, 1, 'E_NOT_UTF8', 'the table is not valid UTF-8', 'export it as UTF-8 (official extracts are often Windows-1252)')] };
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter: ';', columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    const e = error as { lines?: number; message: string };
    return { rows: [], diagnostics: [at(e.lines ?? 1, 1, 'E_CSV_SYNTAX', e.message, 'fields are separated by ";"; quote fields that contain ";" with double quotes')] };
  }
  const diagnostics: Diagnostic[] = [];
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0]!.split(';').map((h) => h.trim().toLowerCase());
  const otherSeparator = [',', '\t', '|'].find((s) => header.length === 1 && header[0]!.split(s).length > 1);
  for (const column of ['ags', 'name']) {
    if (header.includes(column)) continue;
    const hint = otherSeparator
      ? `the header "${header[0]}" looks separated by ${otherSeparator === '\t' ? 'tabs' : `"${otherSeparator}"`}; this table must be separated by ";" (as official Gemeindeverzeichnis extracts are), e.g. ags;name`
      : 'the first line must be a header such as: ags;name (columns separated by ";")';
    diagnostics.push(at(1, 1, 'E_CSV_HEADER', `the header has no column "${column}"`, hint));
  }
  if (diagnostics.length) return { rows: [], diagnostics };
  const agsCol = header.indexOf('ags') + 1;
  const nameCol = header.indexOf('name') + 1;
  const rows: CsvKommune[] = [];
  for (const { record, info } of records) {
    const ags = record.ags ?? '';
    const name = record.name ?? '';
    if (!/^[0-9]{8}$/.test(ags)) {
      diagnostics.push(at(info.lines, agsCol, 'E_CSV_AGS', `"${ags}" is not an 8-digit AGS`, 'the AGS has 8 digits with leading zeros, e.g. 01002000; a spreadsheet may have dropped the leading zero'));
      continue;
    }
    if (name === '') {
      diagnostics.push(at(info.lines, nameCol, 'E_CSV_NAME', 'the name is empty', 'every row needs the Kommune\'s name'));
      continue;
    }
    rows.push({ ags, name, line: info.lines });
  }
  return { rows, diagnostics };
}

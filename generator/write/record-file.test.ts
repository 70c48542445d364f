import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, type Column } from './record-file.js';

describe('the run record file', () => {
  const columns = new Map<string, Column>([
    ['paths', ['prod/kommunen/sh-kiel/baseline.yaml', 'prod/ümlaut/ß.yaml', '']],
    ['none', []],
    ['one empty', ['']],
    ['mtimes', Float64Array.from([1795913305712.0686, -1, 0.5])],
    ['units', Uint32Array.from([0, 7, 4294967295])],
  ]);

  it('reads back every column as written: strings, an empty column, numbers to the last bit', () => {
    const decoded = decodeRecord(encodeRecord({ version: 5, trees: ['dist'] }, columns));
    expect(decoded?.header).toEqual({ version: 5, trees: ['dist'] });
    expect(decoded?.columns).toEqual(columns);
    expect((decoded?.columns.get('mtimes') as Float64Array)[0]).toBe(1795913305712.0686);
  });

  it('refuses a file cut short, one with bytes after its columns, and one of another format', () => {
    const bytes = encodeRecord({}, columns);
    expect(decodeRecord(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(decodeRecord(Buffer.concat([bytes, Buffer.from('x')]))).toBeUndefined();
    expect(decodeRecord(Buffer.from('{"version":4}\n'))).toBeUndefined();
    expect(decodeRecord(Buffer.from('not a record'))).toBeUndefined();
  });

  it('will not write a value holding a line break, which would read back as two', () => {
    expect(() => encodeRecord({}, new Map([['paths', ['a\nb']]]))).toThrow(/line break/);
  });
});

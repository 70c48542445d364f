import { describe, expect, it, vi } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../generator/cli/main.js';
import { cli, copyFleet, edit, snapshotTree, tempDir, write } from './helpers/fleet.js';

/**
 * Bad values for every option and argument of every command that takes a value. The test below
 * also walks the real command tree, so an option added without a row here fails it.
 */
const BAD: Record<string, Record<string, string[]>> = {
  validate: { '--root': ['/nonexistent-ozg'] },
  generate: { '--root': ['/nonexistent-ozg'], '--out': [''], '--bootstrap-out': [''], '--env': ['prd', 'prod,', 'Prod', 'prod,tst'], '--jobs': ['abc', '0', '-1', '1.5', '65', ''] },
  'tenant add': { '--root': ['/nonexistent-ozg'], '--env': ['prd', 'test,,prod', 'TEST'], '--kind': ['Dorf'], '--wave': ['Early!'], '--size': ['XL'], '--contact-email': ['it-at-kiel'], '--ags': ['1002000', '0100200x'], '--name': ['', '  '], '--id': ['sh_kiel', 'sh-kiel-'], '--push': [''] },
  'tenant import': { '<file>': ['/nonexistent-ozg.csv'], '--root': ['/nonexistent-ozg'], '--env': ['prd'], '--kind': ['Dorf'], '--wave': ['Early!'], '--size': ['XL'], '--contact-email': ['x'], '--push': [''] },
  plan: { '--root': ['/nonexistent-ozg'], '--base': [''], '--format': ['yaml'] },
  bump: { '<app>': ['Vorgang Manager'], '<version>': ['v2.15.0', '2.15', 'latest'], '--env': ['prd', 'prod,test'], '--root': ['/nonexistent-ozg'], '--wave': ['Canary!'], '--tenant': ['SH-KIEL'], '--reason': [''], '--until': ['2026-02-30', '31.12.2026', 'tomorrow'], '--push': [''] },
  promote: { '[apps...]': ['Alfa!'], '--from': ['tst'], '--to': ['prd'], '--root': ['/nonexistent-ozg'], '--push': [''] },
  rollback: { '<app>': ['Vorgang Manager'], '--env': ['prd', 'Prod'], '--root': ['/nonexistent-ozg'], '--push': [''] },
  halt: { '--env': ['prd'], '--app': ['Alfa!', 'alfa,'], '--reason': ['', ' '], '--root': ['/nonexistent-ozg'], '--push': [''] },
  resume: { '--env': ['prd'], '--root': ['/nonexistent-ozg'], '--push': [''] },
  publish: { '--to': [''], '--root': ['/nonexistent-ozg'], '--branch': ['-x', 'a..b', 'main.lock', 'has space'], '--path': ['.', '..', '/', 'a/../b', '.git'], '--retries': ['x', '-1', '101'] },
  status: { '--env': ['prd', 'Prod'], '--root': ['/nonexistent-ozg'], '--server': ['argocd.example', 'ftp://argocd.example', 'http://'], '--token-env': ['1TOKEN', 'A-B'], '--format': ['yaml'], '--interval': ['x', '0', '-5', '3601'], '--timeout': ['x', '0', '601'] },
  report: { '--root': ['/nonexistent-ozg'], '--out': [''] },
  'mr-note': { '<file>': ['/nonexistent-plan.md'], '--token-env': ['1TOKEN'] },
};

/** A valid invocation per command; one bad value is substituted at a time. */
const VALID: Record<string, (root: string) => string[]> = {
  validate: (r) => ['validate', '--root', r],
  generate: (r) => ['generate', '--root', r, '--out', `${r}/dist`, '--bootstrap-out', `${r}/argocd`, '--env', 'prod', '--jobs', '1'],
  'tenant add': (r) => ['tenant', 'add', '--root', r, '--env', 'test', '--ags', '01056001', '--name', 'Gemeinde Appen', '--kind', 'Gemeinde', '--wave', 'main', '--size', 's', '--contact-email', 'it@appen.example', '--id', 'sh-appen', '--push', 'origin'],
  'tenant import': (r) => ['tenant', 'import', `${r}/kommunen.csv`, '--root', r, '--env', 'test', '--kind', 'Gemeinde', '--wave', 'main', '--size', 's', '--contact-email', 'it@appen.example', '--push', 'origin'],
  plan: (r) => ['plan', '--root', r, '--base', 'HEAD', '--format', 'text'],
  bump: (r) => ['bump', 'alfa', '1.13.0', '--env', 'prod', '--root', r, '--wave', 'canary', '--tenant', 'sh-kiel', '--reason', 'test', '--until', '2026-12-31', '--push', 'origin'],
  promote: (r) => ['promote', 'alfa', '--from', 'test', '--to', 'prod', '--root', r, '--push', 'origin'],
  rollback: (r) => ['rollback', 'alfa', '--env', 'prod', '--root', r, '--push', 'origin'],
  halt: (r) => ['halt', '--env', 'prod', '--app', 'alfa', '--reason', 'bad release', '--root', r, '--push', 'origin'],
  resume: (r) => ['resume', '--env', 'prod', '--root', r, '--push', 'origin'],
  publish: (r) => ['publish', '--to', `${r}/deploy`, '--root', r, '--branch', 'main', '--path', 'dist', '--retries', '1'],
  status: (r) => ['status', '--env', 'prod', '--root', r, '--server', 'http://127.0.0.1:9', '--token-env', 'NO_SUCH_TOKEN', '--format', 'text', '--interval', '1', '--timeout', '1'],
  report: (r) => ['report', '--root', r, '--out', `${r}/report.html`],
  'mr-note': (r) => ['mr-note', `${r}/kommunen.csv`, '--token-env', 'NO_SUCH_TOKEN'],
};

function substitute(args: string[], option: string, value: string, command: string): string[] {
  if (option.startsWith('<') || option.startsWith('[')) {
    // positional: app/apps are the first argument after the command words, version the second
    const first = command.split(' ').length;
    const index = option === '<version>' ? first + 1 : first;
    if (args[index]?.startsWith('-')) throw new Error(`${command}: no positional argument at ${index}`);
    return args.map((a, i) => (i === index ? value : a));
  }
  const at = args.indexOf(option);
  if (at === -1) throw new Error(`${command}: the valid invocation has no ${option}`);
  return args.map((a, i) => (i === at + 1 ? value : a));
}

function commandsOf(program: Command, prefix = ''): [string, Command][] {
  return program.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length ? commandsOf(c, `${name} `) : [[name, c] as [string, Command]];
  });
}

describe('one typed option layer', () => {
  it('the table covers every option and argument of every command that takes a value', () => {
    const program = buildProgram({ out: () => undefined, err: () => undefined, isTTY: false }, () => undefined);
    for (const [name, command] of commandsOf(program)) {
      const takesValue = [
        ...command.options.filter((o) => o.required || o.optional).map((o) => o.long!),
        ...command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)),
      ];
      expect(Object.keys(BAD[name] ?? {}).sort(), name).toEqual(takesValue.sort());
    }
  });

  for (const [command, options] of Object.entries(BAD)) {
    it(`${command}: every bad value is exit 2 with the option and what it accepts, and nothing written`, async () => {
      const root = copyFleet();
      expect((await cli('generate', '--root', root)).code).toBe(0);
      write(root, 'kommunen.csv', 'ags;name\n01056001;Appen\n');
      const before = snapshotTree(root);
      for (const [option, values] of Object.entries(options)) {
        for (const value of values) {
          const args = substitute(VALID[command]!(root), option, value, command);
          const run = await cli(...args);
          expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(2);
          const named = option.replace(/[<>[\].]/g, '');
          expect(run.stderr, args.join(' ')).toMatch(new RegExp(`${named.replace(/-/g, '\\-')}`));
          expect(run.stderr, args.join(' ')).toMatch(/expected|allowed choices|Allowed choices/i);
          expect(run.stderr).not.toMatch(/^\s+at |internal error/m);
        }
      }
      expect(snapshotTree(root)).toEqual(before);
    });
  }

  it('--version prints the version and exits 0', async () => {
    const run = await cli('--version');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('generate --env takes the comma form and repeated values alike', async () => {
    const root = copyFleet();
    const comma = await cli('generate', '--root', root, '--env', 'prod,test');
    expect(comma.code, comma.stderr).toBe(0);
    expect(comma.stdout).toMatch(/^generated: [1-9]\d* written, 0 removed, 0 unchanged$/);
    const repeated = await cli('generate', '--root', root, '--env', 'prod', '--env', 'test');
    expect(repeated.stdout).toMatch(/^generated: 0 written, 0 removed, [1-9]\d* unchanged$/);
  });
});

describe('a render can never silently shrink the output', () => {
  it('a render that loses Kommune files stops with exit 70 naming the bug, and writes and prunes nothing', async () => {
    const root = copyFleet();
    expect((await cli('generate', '--root', root)).code).toBe(0);
    // A change, so that generate renders instead of answering from the record of the last run.
    edit(root, 'environments/test.yaml', (t) => t.replace('cpu: "4"', 'cpu: "5"'));
    const before = snapshotTree(root);
    // An injected fault: the Kommune renderer returns nothing, as it did with --jobs abc.
    vi.resetModules();
    vi.doMock('../generator/check/render-kommunen.js', async (original) => ({
      ...(await original<typeof import('../generator/check/render-kommunen.js')>()),
      renderAllKommunen: async () => ({ diagnostics: [], current: new Map() }),
    }));
    try {
      const { runCli } = await import('../generator/cli/main.js');
      const err: string[] = [];
      const code = await runCli(['generate', '--root', root], { out: () => undefined, err: (l) => err.push(l), isTTY: false });
      expect(code).toBe(70);
      expect(err.join('\n')).toMatch(/internal error: the render lost output of Kommunen that are still in the inputs, so nothing was written: \d+ missing, e\.g\. environment dev has 8 Kommunen, but not one Kommune file was rendered/);
    } finally {
      vi.doUnmock('../generator/check/render-kommunen.js');
      vi.resetModules();
    }
    expect(snapshotTree(root)).toEqual(before);
  });

  it('--jobs with workers renders every Kommune (the path that once rendered none)', async () => {
    const root = tempDir();
    const source = copyFleet();
    const { cpSync } = await import('node:fs');
    cpSync(source, root, { recursive: true });
    expect((await cli('generate', '--root', root, '--jobs', '2')).code).toBe(0);
    expect((await cli('generate', '--root', root, '--check')).code).toBe(0);
  });
});

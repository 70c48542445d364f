import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './fleet.js';

export interface LspDiagnostic {
  readonly message: string;
  readonly range: { readonly start: { readonly line: number; readonly character: number } };
}

/**
 * The real yaml-language-server (the server behind the VS Code YAML extension and others), driven
 * over stdio with LSP's JSON-RPC framing (Content-Length headers), as an editor does: initialize,
 * open a document, wait for the diagnostics it publishes for it.
 */
export async function diagnosticsFor(file: string): Promise<LspDiagnostic[]> {
  const server = spawn(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server'), '--stdio']);
  try {
    const rpc = connect(server);
    await rpc.request('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { publishDiagnostics: {} } } });
    rpc.notify('initialized', {});
    rpc.notify('workspace/didChangeConfiguration', { settings: { yaml: { validate: true, schemaStore: { enable: false } } } });
    const uri = pathToFileURL(file).href;
    const published = rpc.waitFor('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === uri);
    rpc.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: readFileSync(file, 'utf8') } });
    return ((await published) as { diagnostics: LspDiagnostic[] }).diagnostics;
  } finally {
    server.kill();
  }
}

function connect(server: ChildProcessWithoutNullStreams) {
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  const waiters: { method: string; match: (params: never) => boolean; resolve: (params: unknown) => void }[] = [];
  const send = (message: object) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
    server.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  server.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString()) as { id?: number; method?: string; params?: unknown; result?: unknown };
      buffer = buffer.subarray(end + 4 + length);
      if (message.id !== undefined && message.method === undefined) pending.get(message.id)?.(message.result);
      else if (message.id !== undefined && message.method) send({ id: message.id, result: message.method === 'workspace/configuration' ? [{ validate: true }] : null });
      else if (message.method) {
        for (const w of waiters.filter((x) => x.method === message.method && x.match(message.params as never))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(message.params);
        }
      }
    }
  });
  return {
    request: (method: string, params: object) =>
      new Promise<unknown>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        send({ id, method, params });
      }),
    notify: (method: string, params: object) => send({ method, params }),
    waitFor: <P>(method: string, match: (params: P) => boolean) => new Promise<unknown>((resolve) => waiters.push({ method, match: match as (p: never) => boolean, resolve })),
  };
}

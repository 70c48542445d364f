import { UserError } from '../diagnostics.js';

/** The parts of Argo CD's `v1alpha1Application` (GET /api/v1/applications) that status reads. */
export interface ArgoApplication {
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly source?: { readonly targetRevision?: string } };
  readonly status?: {
    readonly sync?: { readonly status?: 'Synced' | 'OutOfSync' | 'Unknown'; readonly revision?: string };
    readonly health?: { readonly status?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown'; readonly message?: string };
    readonly operationState?: { readonly phase?: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating' };
    /** The Application's resources (`ResourceStatus`): status reads the ExternalSecrets' health from here. */
    readonly resources?: readonly { readonly group?: string; readonly kind?: string; readonly name?: string; readonly health?: { readonly status?: string; readonly message?: string } }[];
  };
}

export interface FetchOptions {
  readonly server: string;
  readonly token: string;
  readonly selector: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
  /** Cancels the request (a request made ahead of time that turned out not to be needed). */
  readonly signal?: AbortSignal;
  /** Server versions already asked for in this run (a watch asks once); filled in here. */
  readonly versions?: Map<string, string | undefined>;
}

/**
 * The fields status reads, as Argo CD's list endpoint can select them (`appFields` in its
 * pkg/apiclient/application/forwarder_overwrite.go): at 75,000 Applications this turns hundreds
 * of MB into a few dozen. Argo CD drops a field it does not know without a word. 3.5 added
 * `spec.source` and `status.sync.revision`; before it only the whole `spec` carries
 * `source.targetRevision`, at several times the size. `status.operationState.message` is
 * selectable on no version. Not the labels: status knows each Application's wave, Land and
 * cluster from the inputs, and the labels are a third of the answer.
 */
export function statusFields(argoCdVersion: string | undefined): string[] {
  const from35 = argoCdVersion !== undefined && atLeast(argoCdVersion, 3, 5);
  return [
    'items.metadata.name',
    ...(from35 ? ['items.spec.source'] : ['items.spec']),
    'items.status.sync.status',
    ...(from35 ? ['items.status.sync.revision'] : []),
    'items.status.health',
    'items.status.operationState.phase',
    'items.status.resources',
  ];
}

/** Whether a version as Argo CD names itself (`v3.5.1+4597065`) is at least major.minor. */
function atLeast(version: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** The most status reads of one answer; a larger one is refused rather than exhausting memory. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Lists Applications by label selector, asking for the fields the server's version can select
 * (`GET /api/version` first, once per server in a run that passes `versions`). TLS is verified
 * (Node's defaults; add a private CA with NODE_EXTRA_CA_CERTS). Every failure, while connecting or
 * while reading the body, becomes a one-line message that says what to check; the timeout covers
 * the whole exchange.
 */
export async function listApplications(o: FetchOptions): Promise<ArgoApplication[]> {
  const timeoutMs = o.timeoutMs ?? 15_000;
  const signal = o.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), o.signal]) : AbortSignal.timeout(timeoutMs);
  const url = new URL('/api/v1/applications', o.server);
  url.searchParams.set('selector', o.selector);
  url.searchParams.set('fields', statusFields(await serverVersion(o, signal, timeoutMs)).join(','));
  const text = await get(url, o, signal, timeoutMs);
  let body: { items?: ArgoApplication[] | null };
  try {
    body = JSON.parse(text) as { items?: ArgoApplication[] | null };
  } catch {
    throw new UserError(`Argo CD at ${o.server} answered with something that is not JSON (${text.slice(0, 60).replace(/\s+/g, ' ')}...)`, 1, [], 'E_ARGOCD_MALFORMED');
  }
  if (typeof body !== 'object' || body === null || (body.items !== undefined && body.items !== null && !Array.isArray(body.items))) {
    throw new UserError(`Argo CD at ${o.server} answered JSON that is not an application list`, 1, [], 'E_ARGOCD_MALFORMED');
  }
  // Argo CD sends "items": null for an empty list.
  return body.items ?? [];
}

/**
 * The server's version (`VersionMessage.Version` of Argo CD's VersionService), or undefined when
 * it does not say (a proxy in front, a server without /api/version): then the fields every
 * version knows are asked for. A server that cannot be reached fails here as it would on the list.
 */
async function serverVersion(o: FetchOptions, signal: AbortSignal, timeoutMs: number): Promise<string | undefined> {
  if (o.versions?.has(o.server)) return o.versions.get(o.server);
  const text = await get(new URL('/api/version', o.server), o, signal, timeoutMs, { missingOk: true });
  let version: string | undefined;
  try {
    const answer = text === undefined ? undefined : (JSON.parse(text) as { Version?: unknown } | null);
    version = typeof answer?.Version === 'string' ? answer.Version : undefined;
  } catch {
    // not JSON: a proxy's page; the list request says what is wrong if it is more than that
  }
  o.versions?.set(o.server, version);
  return version;
}

/** One GET with the bearer token, its body read within MAX_BODY_BYTES; failures as one-line UserErrors (a 404 as undefined with `missingOk`). */
async function get(url: URL, o: FetchOptions, signal: AbortSignal, timeoutMs: number, options: { missingOk: true }): Promise<string | undefined>;
async function get(url: URL, o: FetchOptions, signal: AbortSignal, timeoutMs: number): Promise<string>;
async function get(url: URL, o: FetchOptions, signal: AbortSignal, timeoutMs: number, options?: { missingOk: true }): Promise<string | undefined> {
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json' }, signal });
    if (response.status === 404 && options?.missingOk) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status === 401 || response.status === 403) {
      throw new UserError(`Argo CD at ${o.server} refused the token (HTTP ${response.status}); check that it is valid and may get applications`, 1, [], 'E_ARGOCD_AUTH');
    }
    if (!response.ok) throw new UserError(`Argo CD at ${o.server} answered HTTP ${response.status} ${response.statusText}`, 1, [], 'E_ARGOCD_HTTP');
    return await readBounded(response, o.server);
  } catch (error) {
    throw networkError(error, o.server, timeoutMs);
  }
}

async function readBounded(response: Response, server: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge(server);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge(server);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(server: string): UserError {
  return new UserError(`Argo CD at ${server} sent more than ${MAX_BODY_BYTES / 1024 / 1024} MiB; narrow the selection (one environment per call) or raise the limit`, 1, [], 'E_ARGOCD_TOO_LARGE');
}

/** Turns whatever fetch or the body stream threw into a one-line UserError; keeps ours as they are. */
function networkError(error: unknown, server: string, timeoutMs: number): UserError {
  const e = error as Error & { code?: unknown; cause?: { code?: unknown; message?: string } };
  if (typeof e.code === 'string' && e.code.startsWith('E_')) return error as UserError;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new UserError(`Argo CD at ${server} did not answer within ${timeoutMs / 1000} s`, 1, [], 'E_ARGOCD_TIMEOUT');
  const cause = [e.cause?.code, e.cause?.message, e.message].find((c) => typeof c === 'string' && c) ?? String(error);
  return new UserError(`cannot reach Argo CD at ${server}: ${cause}`, 1, [], 'E_ARGOCD_UNREACHABLE');
}

import { UserError } from '../diagnostics.js';

/** The parts of Argo CD's `v1alpha1Application` (GET /api/v1/applications) that status reads. */
export interface ArgoApplication {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly source?: { readonly targetRevision?: string } };
  readonly status?: {
    readonly sync?: { readonly status?: 'Synced' | 'OutOfSync' | 'Unknown'; readonly revision?: string };
    readonly health?: { readonly status?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown'; readonly message?: string };
    readonly operationState?: { readonly phase?: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating'; readonly message?: string };
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
}

/**
 * The only fields status reads. Argo CD's list endpoint trims its answer to these with `fields=`
 * (what its own UI does), which at 75,000 Applications turns hundreds of MB into a few dozen.
 */
export const STATUS_FIELDS = [
  'items.metadata.name',
  'items.metadata.labels',
  'items.spec.source.targetRevision',
  'items.status.sync.status',
  'items.status.sync.revision',
  'items.status.health',
  'items.status.operationState.phase',
  'items.status.operationState.message',
  'items.status.resources',
] as const;

/** The most status reads of one answer; a larger one is refused rather than exhausting memory. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * Lists Applications by label selector. TLS is verified (Node's defaults; add a private CA with
 * NODE_EXTRA_CA_CERTS). Every failure, while connecting or while reading the body, becomes a
 * one-line message that says what to check; the timeout covers the whole exchange.
 */
export async function listApplications(o: FetchOptions): Promise<ArgoApplication[]> {
  const url = new URL('/api/v1/applications', o.server);
  url.searchParams.set('selector', o.selector);
  url.searchParams.set('fields', STATUS_FIELDS.join(','));
  const timeoutMs = o.timeoutMs ?? 15_000;
  const signal = o.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), o.signal]) : AbortSignal.timeout(timeoutMs);
  let text: string;
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json' }, signal });
    if (response.status === 401 || response.status === 403) {
      throw new UserError(`Argo CD at ${o.server} refused the token (HTTP ${response.status}); check that it is valid and may get applications`, 1, [], 'E_ARGOCD_AUTH');
    }
    if (!response.ok) throw new UserError(`Argo CD at ${o.server} answered HTTP ${response.status} ${response.statusText}`, 1, [], 'E_ARGOCD_HTTP');
    text = await readBounded(response, o.server);
  } catch (error) {
    throw networkError(error, o.server, timeoutMs);
  }
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

import { UserError } from '../diagnostics.js';

/** The parts of Argo CD's `v1alpha1Application` (GET /api/v1/applications) that status reads. */
export interface ArgoApplication {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly source?: { readonly targetRevision?: string } };
  readonly status?: {
    readonly sync?: { readonly status?: 'Synced' | 'OutOfSync' | 'Unknown'; readonly revision?: string };
    readonly health?: { readonly status?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown'; readonly message?: string };
    readonly operationState?: { readonly phase?: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating'; readonly message?: string };
  };
}

export interface FetchOptions {
  readonly server: string;
  readonly token: string;
  readonly selector: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

/**
 * Lists Applications by label selector. TLS is verified (Node's defaults; add a private CA with
 * NODE_EXTRA_CA_CERTS). Every failure becomes a message that says what to check.
 */
export async function listApplications(o: FetchOptions): Promise<ArgoApplication[]> {
  const url = new URL('/api/v1/applications', o.server);
  url.searchParams.set('selector', o.selector);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new UserError(`Argo CD at ${o.server} did not answer within ${(o.timeoutMs ?? 15_000) / 1000} s`, 1, [], 'E_ARGOCD_TIMEOUT');
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new UserError(`cannot reach Argo CD at ${o.server}: ${cause}`, 1, [], 'E_ARGOCD_UNREACHABLE');
  }
  if (response.status === 401 || response.status === 403) {
    throw new UserError(`Argo CD at ${o.server} refused the token (HTTP ${response.status}); check that it is valid and may get applications`, 1, [], 'E_ARGOCD_AUTH');
  }
  if (!response.ok) throw new UserError(`Argo CD at ${o.server} answered HTTP ${response.status} ${response.statusText}`, 1, [], 'E_ARGOCD_HTTP');
  const text = await response.text();
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

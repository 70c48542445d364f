import { UserError } from '../diagnostics.js';

/**
 * Posts the plan of a merge request as one note and keeps it current: the note carries a hidden
 * marker, and a later pipeline of the same merge request edits that note instead of adding another.
 * GitLab REST API v4: GET/POST /projects/:id/merge_requests/:iid/notes,
 * PUT /projects/:id/merge_requests/:iid/notes/:note_id; authenticated with PRIVATE-TOKEN.
 */
export interface MergeRequestNoteOptions {
  /** CI_API_V4_URL, e.g. https://gitlab.example/api/v4 */
  readonly apiUrl: string;
  /** CI_PROJECT_ID */
  readonly projectId: string;
  /** CI_MERGE_REQUEST_IID */
  readonly mergeRequestIid: string;
  readonly token: string;
  /** Markdown of the note, without the marker. */
  readonly body: string;
  /** Tells this tool's notes apart from people's. @default ozg-gitops:plan */
  readonly marker?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
}

export interface NoteResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly noteId: number;
}

interface GitLabNote {
  readonly id: number;
  readonly body: string;
  readonly system?: boolean;
}

const PER_PAGE = 100;
/** A merge request with more notes than this is searched no further; the note is then posted anew. */
const MAX_PAGES = 50;

export async function upsertMergeRequestNote(o: MergeRequestNoteOptions): Promise<NoteResult> {
  const marker = `<!-- ${o.marker ?? 'ozg-gitops:plan'} -->`;
  const body = `${marker}\n${o.body.trimEnd()}\n`;
  const base = `${o.apiUrl.replace(/\/+$/, '')}/projects/${encodeURIComponent(o.projectId)}/merge_requests/${encodeURIComponent(o.mergeRequestIid)}/notes`;
  const existing = await findNote(base, marker, o);
  if (existing && existing.body === body) return { action: 'unchanged', noteId: existing.id };
  if (existing) {
    const updated = (await call(o, 'PUT', `${base}/${existing.id}`, { body })) as GitLabNote;
    return { action: 'updated', noteId: updated.id };
  }
  const created = (await call(o, 'POST', base, { body })) as GitLabNote;
  return { action: 'created', noteId: created.id };
}

async function findNote(base: string, marker: string, o: MergeRequestNoteOptions): Promise<GitLabNote | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = `${base}?sort=asc&order_by=created_at&per_page=${PER_PAGE}&page=${page}`;
    const { body, nextPage } = await callWithPaging(o, url);
    if (!Array.isArray(body)) throw new UserError(`GitLab at ${o.apiUrl} answered the list of notes with something that is not a list`, 1, [], 'E_GITLAB_MALFORMED');
    const mine = (body as GitLabNote[]).find((n) => !n.system && typeof n.body === 'string' && n.body.startsWith(marker));
    if (mine) return mine;
    if (!nextPage) return undefined;
  }
  return undefined;
}

async function callWithPaging(o: MergeRequestNoteOptions, url: string): Promise<{ body: unknown; nextPage?: string }> {
  const response = await send(o, 'GET', url);
  // GitLab's offset pagination: X-Next-Page is empty on the last page.
  return { body: await parse(response, o), nextPage: response.headers.get('x-next-page') || undefined };
}

async function call(o: MergeRequestNoteOptions, method: 'POST' | 'PUT', url: string, payload: object): Promise<unknown> {
  return parse(await send(o, method, url, payload), o);
}

async function send(o: MergeRequestNoteOptions, method: string, url: string, payload?: object): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { 'PRIVATE-TOKEN': o.token, Accept: 'application/json', ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      body: payload ? JSON.stringify(payload) : undefined,
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: unknown } };
    if (e.name === 'TimeoutError') throw new UserError(`GitLab at ${o.apiUrl} did not answer in time`, 1, [], 'E_GITLAB_TIMEOUT');
    throw new UserError(`cannot reach GitLab at ${o.apiUrl}: ${typeof e.cause?.code === 'string' ? e.cause.code : e.message}`, 1, [], 'E_GITLAB_UNREACHABLE');
  }
  if (response.status === 401 || response.status === 403) {
    throw new UserError(`GitLab refused the token (HTTP ${response.status}); it needs the api scope and at least Reporter access to the project`, 1, [], 'E_GITLAB_AUTH');
  }
  if (!response.ok) throw new UserError(`GitLab answered ${method} ${new URL(url).pathname} with HTTP ${response.status}`, 1, [], 'E_GITLAB_HTTP');
  return response;
}

async function parse(response: Response, o: MergeRequestNoteOptions): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError(`GitLab at ${o.apiUrl} answered with something that is not JSON`, 1, [], 'E_GITLAB_MALFORMED');
  }
}

import { createServer, type Server } from 'node:http';
import { afterEach } from 'vitest';

/**
 * A stand-in for GitLab's merge request notes API on 127.0.0.1, answering as GitLab's REST API v4
 * documents it (doc/api/notes.md, "Merge requests"): GET /projects/:id/merge_requests/:iid/notes
 * returns an array of notes with offset-pagination headers (X-Page, X-Per-Page, X-Next-Page,
 * X-Total); POST returns 201 and the new note; PUT …/notes/:note_id returns 200 and the note.
 * A note: id, type, body, attachment, author {id, username, name, state, avatar_url, web_url},
 * created_at, updated_at, system, noteable_id, noteable_type, project_id, noteable_iid,
 * resolvable, confidential, internal. A request without a valid PRIVATE-TOKEN gets 401
 * {"message":"401 Unauthorized"}.
 */
export interface GitLabStub {
  readonly apiUrl: string;
  readonly notes: { id: number; body: string; system: boolean }[];
  readonly requests: { method: string; path: string }[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

export async function gitlabStub(o: { projectId: string; iid: string; token: string }): Promise<GitLabStub> {
  const notes: GitLabStub['notes'] = [
    // A person's note and a system note come first, as on a real merge request.
    { id: 100, body: 'Looks good to me, waiting for the plan.', system: false },
    { id: 101, body: 'added 1 commit', system: true },
  ];
  const requests: GitLabStub['requests'] = [];
  let nextId = 500;
  const shape = (n: (typeof notes)[number]) => ({
    id: n.id,
    type: null,
    body: n.body,
    attachment: null,
    author: { id: 1, username: 'ozg-bot', name: 'OZG bot', state: 'active', avatar_url: null, web_url: 'https://gitlab.example/ozg-bot' },
    created_at: '2026-11-27T12:00:00.000Z',
    updated_at: '2026-11-27T12:00:00.000Z',
    system: n.system,
    noteable_id: 9001,
    noteable_type: 'MergeRequest',
    project_id: Number(o.projectId),
    noteable_iid: Number(o.iid),
    resolvable: false,
    confidential: false,
    internal: false,
  });
  const base = `/api/v4/projects/${o.projectId}/merge_requests/${o.iid}/notes`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? '', path: url.pathname });
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers['private-token'] !== o.token) return send(401, { message: '401 Unauthorized' });
      if (req.method === 'GET' && url.pathname === base) {
        const perPage = Number(url.searchParams.get('per_page') ?? 20);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = notes.slice((page - 1) * perPage, page * perPage);
        const next = page * perPage < notes.length ? String(page + 1) : '';
        return send(200, slice.map(shape), { 'x-page': String(page), 'x-per-page': String(perPage), 'x-next-page': next, 'x-total': String(notes.length) });
      }
      if (req.method === 'POST' && url.pathname === base) {
        const note = { id: nextId++, body: (JSON.parse(raw) as { body: string }).body, system: false };
        notes.push(note);
        return send(201, shape(note));
      }
      const match = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname);
      if (req.method === 'PUT' && match) {
        const note = notes.find((n) => n.id === Number(match[1]));
        if (!note) return send(404, { message: '404 Not found' });
        note.body = (JSON.parse(raw) as { body: string }).body;
        return send(200, shape(note));
      }
      send(404, { message: '404 Not found' });
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { apiUrl: `http://127.0.0.1:${port}/api/v4`, notes, requests };
}

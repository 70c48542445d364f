import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { afterEach } from 'vitest';
import { git, gitRepo } from './git.js';

const daemons: ChildProcess[] = [];
afterEach(() => {
  while (daemons.length) daemons.pop()!.kill('SIGTERM');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A bare repository that records the push options it receives and answers a push the way GitLab
 * does for `merge_request.create` (GitLab prints "View merge request for <branch>:" and the URL
 * through its post-receive messages; here a pre-receive hook prints the same lines).
 */
export async function bareRemote(): Promise<{ dir: string; pushOptions: () => string[] }> {
  const { dir } = await gitRepo({ bare: true });
  await git(dir).addConfig('receive.advertisePushOptions', 'true');
  const hook = path.join(dir, 'hooks/pre-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
: > "$GIT_DIR/push-options.txt"
i=0
while [ "$i" -lt "\${GIT_PUSH_OPTION_COUNT:-0}" ]; do
  eval "printf '%s\\\\n' \\"\\$GIT_PUSH_OPTION_$i\\"" >> "$GIT_DIR/push-options.txt"
  i=$((i+1))
done
branch=""
while read old new ref; do branch=\${ref#refs/heads/}; done
if [ "\${GIT_PUSH_OPTION_COUNT:-0}" -gt 0 ]; then
  echo ""
  echo "View merge request for $branch:"
  echo "  http://127.0.0.1/ozg/gitops/-/merge_requests/1"
  echo ""
fi
`,
  );
  chmodSync(hook, 0o755);
  return {
    dir,
    pushOptions: () => {
      try {
        return readFileSync(path.join(dir, 'push-options.txt'), 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** `git daemon` on 127.0.0.1 serving `baseDir` with pushes allowed; stopped after the test. */
export async function gitDaemon(baseDir: string): Promise<string> {
  const port = await freePort();
  const daemon = spawn('git', ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${baseDir}`, '--export-all', '--enable=receive-pack', '--informative-errors', baseDir], { stdio: 'ignore' });
  daemons.push(daemon);
  for (let i = 0; i < 200; i++) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (listening) return `git://127.0.0.1:${port}/`;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('git daemon did not start');
}

/** A fleet repository (a copy of `from`) whose `origin` is a GitLab-like remote served over git:// on 127.0.0.1, with main pushed. */
export async function fleetWithRemote(from: string): Promise<{ dir: string; git: ReturnType<typeof git>; remote: Awaited<ReturnType<typeof bareRemote>> }> {
  const remote = await bareRemote();
  const url = `${await gitDaemon(path.dirname(remote.dir))}${path.basename(remote.dir)}`;
  const repo = await gitRepo({ from });
  await repo.git.addRemote('origin', url);
  await repo.git.push('origin', 'main');
  return { ...repo, remote };
}

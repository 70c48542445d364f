import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['generator/**/*.test.ts', 'test/**/*.test.ts'],
    // Every temporary file of the run, the generator's caches included, in one folder removed at its end.
    globalSetup: ['test/helpers/test-tmpdir.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Pinned so expiry rules give the same answer on every day the suite runs.
    env: { OZG_GITOPS_TODAY: '2026-11-27' },
  },
});

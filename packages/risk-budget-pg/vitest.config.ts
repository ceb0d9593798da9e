import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One PostgreSQL for the whole run (started once, ~2-6 s): the files share it, each in its own account.
    globalSetup: ['test/global-setup.ts'],
    // The files share one server and two cores: run them one after another.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

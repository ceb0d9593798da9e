import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The live tests start real processes; running their files one at a time keeps the 2 cores sane.
    fileParallelism: false,
  },
});

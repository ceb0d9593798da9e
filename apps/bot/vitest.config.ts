import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The live tests start real processes (a bot and an hl-sim each) that mostly wait on sockets and fsync: two files
    // at a time use the 2 cores without starving the latency-sensitive cases.
    maxWorkers: 2,
  },
});

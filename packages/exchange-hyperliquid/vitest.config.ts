import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    benchmark: { include: ['test/**/*.bench.ts'] },
    // Worker threads start faster than forked processes; viem and the independent client are heavy imports.
    pool: 'threads',
  },
});

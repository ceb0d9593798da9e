import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CI runs several packages' suites at once on two cores: time limits catch hangs, not slowness.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    benchmark: { include: ['test/**/*.bench.ts'] },
  },
});

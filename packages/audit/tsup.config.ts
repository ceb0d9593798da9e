import { defineConfig } from 'tsup';

const common = {
  sourcemap: true,
  target: 'node20' as const,
};

export default defineConfig([
  // ESM for `import`, CommonJS for `require()` (the shim gives the CommonJS build its own import.meta.url,
  // so both find the verify worker next to them).
  { ...common, format: ['esm', 'cjs'], entry: ['src/index.ts'], dts: true, clean: false, shims: true },
  { ...common, format: ['esm'], entry: ['src/verify-worker.ts'], dts: false, clean: false },
  // The CLI gets the shebang; it is bundled on its own, next to the verify worker it starts.
  {
    ...common,
    format: ['esm'],
    entry: ['src/cli.ts'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);

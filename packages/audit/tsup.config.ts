import { defineConfig } from 'tsup';

const common = {
  format: ['esm' as const],
  sourcemap: true,
  target: 'node20' as const,
};

export default defineConfig([
  { ...common, entry: ['src/index.ts', 'src/verify-worker.ts'], dts: true, clean: false },
  // The CLI gets the shebang; it is bundled on its own, next to the verify worker it starts.
  { ...common, entry: ['src/cli.ts'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } },
]);

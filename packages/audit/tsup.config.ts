import { defineConfig } from 'tsup';

const common = {
  format: ['esm' as const],
  sourcemap: true,
  target: 'node20' as const,
};

export default defineConfig([
  { ...common, entry: ['src/index.ts'], dts: true, clean: false },
  // The CLI is a separate bundle-free entry with the shebang; it imports the library at run time.
  { ...common, entry: ['src/cli.ts'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } },
]);

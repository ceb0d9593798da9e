import { defineConfig } from 'tsup';

const common = { sourcemap: true, target: 'node20' as const };

export default defineConfig([
  { ...common, format: ['esm', 'cjs'], entry: ['src/index.ts'], dts: true, clean: false },
  // The CLI (hl-audit-pg) gets the shebang and is bundled on its own.
  {
    ...common,
    format: ['esm'],
    entry: ['src/cli.ts'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);

import { defineConfig } from 'tsup';

// ESM for `import`, CommonJS for `require()`: both built from the same source, types for each.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});

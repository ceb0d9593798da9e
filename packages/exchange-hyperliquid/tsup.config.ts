import { defineConfig } from 'tsup';

// ESM for `import`, CommonJS for `require()`: both built from the same source, types for each.
export default defineConfig({
  // The main entry and the ./wire subpath (the wire format, for code that speaks it without the client).
  entry: ['src/index.ts', 'src/wire.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});

// Runs every example in this folder as its own process (the way a reader would run it) and fails when one
// throws or exits non-zero. Each example asserts what the spec says it prints.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, 'node_modules', '.bin', 'tsx');
let failed = 0;
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const started = Date.now();
  const r = spawnSync(tsx, [join(here, file)], { cwd: here, encoding: 'utf8', timeout: 90_000 });
  const ms = Date.now() - started;
  if (r.status === 0) {
    console.log(`ok   examples/${file} (${ms} ms)`);
  } else {
    failed += 1;
    console.error(`FAIL examples/${file} (exit ${r.status ?? r.signal}, ${ms} ms)\n${r.stdout}\n${r.stderr}`);
  }
}
process.exit(failed > 0 ? 1 : 0);

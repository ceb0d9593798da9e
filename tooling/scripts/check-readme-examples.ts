/**
 * Runs every ```ts block of every library package README against the built package, so the documented
 * examples cannot rot. Each block runs as its own ESM module inside the package directory (imports of the
 * package's own name resolve through its `exports`, others through its node_modules). A block that should not
 * run is fenced as ```ts no-run. Exits 1 if any example throws or exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const only = process.argv.slice(2);
let failures = 0;
let ran = 0;

for (const entry of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', entry);
  const readmePath = join(dir, 'README.md');
  if (!existsSync(readmePath) || (only.length > 0 && !only.includes(entry))) continue;
  const readme = readFileSync(readmePath, 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  blocks.forEach((code, index) => {
    const file = join(dir, `.readme-example-${index}.mts`);
    writeFileSync(file, code);
    try {
      const result = spawnSync(tsx, [file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      ran += 1;
      const name = `${relative(root, readmePath)} example ${index + 1}`;
      if (result.status === 0) {
        console.log(`ok   ${name}`);
      } else {
        failures += 1;
        console.error(
          `FAIL ${name} (exit ${result.status ?? result.signal})\n${result.stdout}\n${result.stderr}`,
        );
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
}
console.log(`README examples: ${ran - failures} passed, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);

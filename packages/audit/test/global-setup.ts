import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** Some tests run the BUILT package in child processes: build it first when dist is missing or stale. */
export default function setup(): void {
  const outputs = ['dist/index.js', 'dist/cli.js'].map((f) => join(root, f));
  const built = outputs.every((f) => existsSync(f))
    ? Math.min(...outputs.map((f) => statSync(f).mtimeMs))
    : 0;
  if (built > newestMtime(join(root, 'src'))) return;
  execFileSync(join(root, 'node_modules/.bin/tsup'), [], { cwd: root, stdio: 'inherit' });
}

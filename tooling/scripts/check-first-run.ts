/**
 * What a new user's first commands print before any result: nothing. Checks what caused the warnings
 * `pnpm start` used to print first, and that every CLI is reachable from the root:
 * - npm (run by `npx`) reading pnpm-only settings from `.npmrc` ("Unknown project config"): npm is asked for
 *   a setting in the repository root and must print no warning;
 * - a CLI not reachable from the root (`pnpm hl-audit`, `pnpm hl-bot`, `pnpm hl-sim`, `pnpm hl-paper`);
 * - pnpm linking a bin whose target does not exist before the first build: every workspace bin points at a
 *   committed file, never into `dist/`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const problems: string[] = [];

// A user's shell, not pnpm's script environment (pnpm exports its own settings as npm_config_* variables).
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
);
const npm = spawnSync('npm', ['config', 'get', 'engine-strict'], { cwd: root, encoding: 'utf8', env });
const warnings = `${npm.stderr}`.split('\n').filter((l) => /warn/i.test(l));
if (npm.status !== 0) problems.push(`npm config get failed: ${npm.stderr}`);
for (const w of warnings) problems.push(`npm warns in the repository root: ${w}`);

// Every CLI of the workspace is reachable from the repository root as `pnpm <bin>`.
const rootScripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

for (const kind of ['packages', 'apps']) {
  for (const entry of readdirSync(join(root, kind))) {
    const manifestPath = join(root, kind, entry, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string;
      bin?: Record<string, string>;
    };
    for (const [name, target] of Object.entries(manifest.bin ?? {})) {
      const script = rootScripts[name];
      if (script === undefined || !script.includes(`${kind}/${entry}/dist/cli.js`)) {
        problems.push(
          `${manifest.name}: bin ${name} has no root script (pnpm ${name}) running ${kind}/${entry}/dist/cli.js`,
        );
      }
      if (target.replace(/^\.\//, '').startsWith('dist/')) {
        problems.push(
          `${manifest.name}: bin ${name} points into dist/ (${target}), which does not exist before a build`,
        );
      } else if (!existsSync(join(root, kind, entry, target))) {
        problems.push(`${manifest.name}: bin ${name} points at ${target}, which is not in the repository`);
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL ${p}`);
  process.exit(1);
}
console.log('ok   first run: npm reads no pnpm setting, every bin exists before a build');

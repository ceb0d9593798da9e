/**
 * Enforces the package boundaries of tooling/boundaries.json:
 * - each workspace package depends only on the @hl-bot packages its row allows (any dependency kind);
 * - nothing depends on an app; apps may use any library package;
 * - runtime dependencies on npm packages are allow-listed per package;
 * - source files import only what their package.json declares, never a deep path into another package
 *   (`@hl-bot/x/src/...`; a subpath the package declares in its `exports`, such as
 *   `@hl-bot/exchange-hyperliquid/wire`, is public), and never a relative path that leaves their package;
 * - the README shows the table as it is in the rules file.
 * Exits 1 with every violation listed, 0 when clean.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Rules {
  workspace: Record<string, string[]>;
  external: Record<string, string[]>;
}
interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}
interface Workspace {
  dir: string;
  kind: 'packages' | 'apps' | 'tooling';
  manifest: Manifest;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rules = JSON.parse(readFileSync(join(root, 'tooling/boundaries.json'), 'utf8')) as Rules;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const problems: string[] = [];

function workspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const kind of ['packages', 'apps', 'tooling'] as const) {
    const base = join(root, kind);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base)) {
      const manifestPath = join(base, entry, 'package.json');
      if (!existsSync(manifestPath)) continue;
      found.push({
        dir: join(base, entry),
        kind,
        manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest,
      });
    }
  }
  return found;
}

function allDeps(m: Manifest): Record<string, string> {
  return { ...m.dependencies, ...m.devDependencies, ...m.peerDependencies, ...m.optionalDependencies };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(?:[cm]?[jt]sx?)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const IMPORT_RE =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const all = workspaces();
const appNames = new Set(all.filter((w) => w.kind === 'apps').map((w) => w.manifest.name));
const workspaceNames = new Set(all.map((w) => w.manifest.name));
const toolingNames = new Set(all.filter((w) => w.kind === 'tooling').map((w) => w.manifest.name));
const manifests = new Map(all.map((w) => [w.manifest.name, w.manifest]));

/** `@hl-bot/x/sub` is public when x's manifest declares `./sub` in its `exports`. */
function isDeclaredSubpath(pkg: string, spec: string): boolean {
  const exported = manifests.get(pkg)?.exports;
  return exported !== undefined && Object.hasOwn(exported, `.${spec.slice(pkg.length)}`);
}

for (const ws of all) {
  const { name } = ws.manifest;
  const where = relative(root, ws.dir);
  const deps = allDeps(ws.manifest);
  // Tooling workspaces (shared tsconfig, test harnesses) are dev-time only: free as devDependencies,
  // never a runtime dependency of anything that ships.
  const internal = Object.keys(deps).filter((d) => workspaceNames.has(d) && !toolingNames.has(d));
  for (const d of Object.keys(ws.manifest.dependencies ?? {})) {
    if (toolingNames.has(d))
      problems.push(`${where}: ${name} has tooling workspace ${d} as a runtime dependency (dev only)`);
  }

  if (ws.kind === 'packages') {
    const allowed = rules.workspace[name];
    if (allowed === undefined) {
      problems.push(`${where}: package ${name} has no row in tooling/boundaries.json "workspace"`);
    } else {
      for (const d of internal) {
        if (!allowed.includes(d))
          problems.push(
            `${where}: ${name} may not depend on ${d} (allowed: ${allowed.join(', ') || 'none'})`,
          );
      }
    }
    if (ws.manifest.private)
      problems.push(`${where}: library package ${name} must be publishable (not private)`);
  }
  if (ws.kind === 'apps' && !ws.manifest.private) problems.push(`${where}: app ${name} must be private`);
  for (const d of internal) {
    if (appNames.has(d)) problems.push(`${where}: ${name} depends on app ${d}; nothing may depend on an app`);
  }

  if (ws.kind !== 'tooling') {
    const externalAllowed = ws.kind === 'apps' ? rules.external['apps/*'] : rules.external[name];
    for (const d of Object.keys(ws.manifest.dependencies ?? {})) {
      if (workspaceNames.has(d)) continue;
      if (!externalAllowed?.includes(d)) {
        problems.push(
          `${where}: runtime dependency ${d} is not allow-listed for ${name} in tooling/boundaries.json "external"`,
        );
      }
    }
  }

  for (const file of sourceFiles(ws.dir)) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const match of text.matchAll(IMPORT_RE)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (spec === undefined) continue;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (relative(ws.dir, target).startsWith('..'))
          problems.push(`${rel}: relative import '${spec}' leaves its package`);
        continue;
      }
      if (builtins.has(spec) || spec.startsWith('node:')) continue;
      const pkg = packageNameOf(spec);
      if (
        pkg.startsWith('@hl-bot/') &&
        spec !== pkg &&
        !spec.endsWith('/package.json') &&
        !isDeclaredSubpath(pkg, spec)
      ) {
        problems.push(`${rel}: deep import '${spec}'; import '${pkg}' through its public entry`);
      }
      if (pkg === name) continue;
      if (deps[pkg] === undefined) problems.push(`${rel}: imports '${pkg}', which ${name} does not declare`);
    }
  }
}

function renderTable(): string {
  const lines = ['| package | may depend on | runtime npm dependencies |', '| --- | --- | --- |'];
  for (const [pkg, allowed] of Object.entries(rules.workspace)) {
    const ext = rules.external[pkg] ?? [];
    lines.push(
      `| \`${pkg}\` | ${allowed.map((a) => `\`${a}\``).join(', ') || '(none)'} | ${ext.map((e) => `\`${e}\``).join(', ') || '(none)'} |`,
    );
  }
  lines.push(
    `| \`apps/*\` | any package; nothing depends on an app | ${(rules.external['apps/*'] ?? []).map((e) => `\`${e}\``).join(', ')} |`,
  );
  return lines.join('\n');
}

const table = renderTable();
if (process.argv.includes('--print-table')) {
  console.log(table);
  process.exit(0);
}
const readme = readFileSync(join(root, 'README.md'), 'utf8');
if (!readme.includes(table)) {
  problems.push(
    'README.md: the boundaries table is out of date; paste the output of `pnpm boundaries --print-table`',
  );
}

if (problems.length > 0) {
  console.error(`boundary check failed (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`boundary check passed: ${all.length} workspaces`);

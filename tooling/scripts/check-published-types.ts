/**
 * The published types, checked where they ship: every public package is packed exactly as it would be
 * published (`pnpm pack`) and installed into a scratch folder laid out like a strict install, where each
 * package sees only the dependencies its packed package.json declares (a workspace package links to the
 * other tarballs, an npm package to the workspace's copy). Then:
 * - every bare import in a shipped `.d.ts`/`.d.cts` must be a declared dependency (or a `node:` builtin);
 * - tooling/published-types/consumer.mts and consumer.cts are type-checked against the tarballs, as an
 *   ESM and a CommonJS project. Their `@ts-expect-error` lines assign Decimals to
 *   `number`; a type that fell back to `any` (an undeclared dependency) makes the directive unused and fails.
 * Runs offline, after the build.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const probes = join(root, 'tooling/published-types');
const work = mkdtempSync(join(tmpdir(), 'hl-bot-types-'));
const store = join(work, 'store');
const consumer = join(work, 'consumer');
const packs = join(work, 'packs');

// A node_modules above the scratch folder would let a package see what it does not declare.
for (let dir = dirname(work); ; dir = dirname(dir)) {
  if (existsSync(join(dir, 'node_modules'))) {
    throw new Error(`${dir}/node_modules exists: the scratch install would not be strict`);
  }
  if (dirname(dir) === dir) break;
}

function run(cmd: string, args: string[], cwd: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function mustRun(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${r.status}\n${r.out}\n${r.err}`);
  }
  return r.out;
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
}

function declarationFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...declarationFiles(path));
    else if (/\.d\.c?ts$/.test(entry.name)) found.push(path);
  }
  return found;
}

// `pnpm test` runs under pnpm, so it is on PATH; outside it, use the pinned version through npx.
const pnpm =
  spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).status === 0
    ? ['pnpm']
    : ['npx', '-y', 'pnpm@10.34.9'];

const problems: string[] = [];
try {
  mkdirSync(packs, { recursive: true });
  const sources = new Map<string, string>();
  for (const entry of readdirSync(join(root, 'packages'))) {
    const source = join(root, 'packages', entry);
    const own = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as Manifest;
    if (own.private !== true) sources.set(own.name, source);
  }
  // One pnpm for all packages: packing them one by one costs a pnpm start-up each.
  const out = mustRun(
    pnpm[0] as string,
    [...pnpm.slice(1), '-r', '--filter', './packages/*', 'pack', '--pack-destination', packs, '--json'],
    root,
  );
  const tarballs = JSON.parse(out.slice(out.indexOf('['))) as { name: string; filename: string }[];
  const packed = new Map<string, { dir: string; source: string; manifest: Manifest }>();
  for (const { name, filename } of tarballs) {
    const source = sources.get(name);
    if (source === undefined) continue;
    const dir = join(store, name);
    mkdirSync(dir, { recursive: true });
    mustRun('tar', ['-xzf', filename, '-C', dir, '--strip-components=1'], root);
    // The packed manifest is what a consumer installs: workspace: and catalog: ranges already replaced.
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    packed.set(name, { dir, source, manifest });
  }
  const missing = [...sources.keys()].filter((name) => !packed.has(name));
  if (missing.length > 0) throw new Error(`pnpm pack produced no tarball for ${missing.join(', ')}`);

  for (const [name, { dir, source, manifest }] of packed) {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    for (const dep of declared) {
      const other = packed.get(dep);
      link(
        other ? other.dir : realpathSync(join(source, 'node_modules', dep)),
        join(dir, 'node_modules', dep),
      );
    }
    for (const file of declarationFiles(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"./][^'"]*)['"]/g,
      )) {
        const specifier = match[1] as string;
        if (specifier.startsWith('node:')) continue;
        const pkg = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] as string);
        if (!declared.has(pkg)) {
          problems.push(
            `${name}: ${file.slice(dir.length + 1)} imports '${specifier}', which its package.json does not declare`,
          );
        }
      }
    }
  }

  // The consumer has every public package and, like any TypeScript project on Node, @types/node.
  for (const [name, { dir }] of packed) link(dir, join(consumer, 'node_modules', name));
  link(
    realpathSync(join(root, 'packages/core-types/node_modules/@types/node')),
    join(consumer, 'node_modules/@types/node'),
  );
  const probeFiles = readdirSync(probes).filter((f) => /^consumer\.[mc]ts$/.test(f));
  for (const file of probeFiles) copyFileSync(join(probes, file), join(consumer, file));
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        // The libraries' own declarations are not re-checked (a fourfold cost); what they import is
        // checked above, and an unresolved import there turns into `any`, which the probes catch.
        skipLibCheck: true,
        types: ['node'],
      },
      files: probeFiles,
    }),
  );
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const tsc = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], consumer);
  if (tsc.status !== 0) {
    problems.push(`tsc on the consumer probes (${probeFiles.join(', ')}) failed:\n${tsc.out}${tsc.err}`);
  }

  if (problems.length > 0) {
    for (const p of problems) console.error(`FAIL ${p}`);
    process.exitCode = 1;
  } else {
    console.log(`ok   published types of ${[...packed.keys()].join(', ')} (${probeFiles.join(', ')})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

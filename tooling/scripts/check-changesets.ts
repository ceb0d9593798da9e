/**
 * Every package changed on this branch is named by a changeset added on this branch.
 *
 * "This branch" is everything since the merge base with `main`: commits, uncommitted edits and new files.
 * A package counts as changed when a file that reaches its users changed: `src/`, `bin/`, `package.json`
 * or `README.md` (tests, benchmarks and build configuration do not ship; `.changeset/config.json`'s
 * `changedFilePatterns` says the same to changesets). A changeset is a new or edited `.changeset/*.md`
 * whose front matter names the package with a bump type. Then `changeset status --since=main` runs on the
 * committed changesets. `changeset status` alone is not enough: it passes as soon as any changeset was
 * added, whichever packages it names.
 *
 * On `main` itself (CI runs a fresh clone of main) the merge base is HEAD and nothing has changed, so the
 * check passes; the changesets that landed are checked when their branch runs it. Without a `main` branch
 * (a clone of something else) it says so and passes.
 * Exits 1 with every uncovered package listed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BASE = 'main';
const SHIPPED = /^(?:src\/|bin\/|package\.json$|README\.md$)/;

function git(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: r.stdout.trim() };
}

function lines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

/** The releases in a changeset's front matter (`'@hl-bot/x': patch` lines between the `---`). */
function releasesOf(markdown: string): { name: string; type: string }[] | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(markdown);
  if (!match) return undefined;
  const releases: { name: string; type: string }[] = [];
  for (const line of lines(match[1] ?? '')) {
    const release = /^\s*['"]?([^'":\s]+)['"]?\s*:\s*(\S+)\s*$/.exec(line);
    if (release) releases.push({ name: release[1] as string, type: release[2] as string });
  }
  return releases;
}

const base = [BASE, `origin/${BASE}`].find((ref) => git(['rev-parse', '--verify', '--quiet', ref]).ok);
if (base === undefined) {
  console.log(`changeset check skipped: no '${BASE}' branch in this clone to compare with`);
  process.exit(0);
}
const mergeBase = git(['merge-base', base, 'HEAD']);
if (!mergeBase.ok) {
  console.error(`FAIL changeset check: no merge base of ${base} and HEAD (a shallow clone?)`);
  process.exit(1);
}

const changed = new Set([
  ...lines(git(['diff', '--name-only', mergeBase.out]).out), // commits since the merge base and the work tree
  ...lines(git(['ls-files', '--others', '--exclude-standard']).out), // new files not yet added
]);

const packageDirs = new Map<string, string>();
for (const kind of ['packages', 'apps']) {
  for (const entry of readdirSync(join(root, kind))) {
    const manifest = join(root, kind, entry, 'package.json');
    if (!existsSync(manifest)) continue;
    packageDirs.set(
      `${kind}/${entry}/`,
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name,
    );
  }
}

const knownPackages = new Set(packageDirs.values());
const changedPackages = new Map<string, string[]>();
const named = new Set<string>();
const changesets: string[] = [];
const problems: string[] = [];
for (const file of changed) {
  if (/^\.changeset\/[^/]+\.md$/.test(file) && !file.endsWith('README.md') && existsSync(join(root, file))) {
    changesets.push(file);
    const releases = releasesOf(readFileSync(join(root, file), 'utf8'));
    if (releases === undefined) problems.push(`${file} has no front matter (--- ... ---)`);
    for (const { name, type } of releases ?? []) {
      if (!knownPackages.has(name)) problems.push(`${file} names ${name}, which is not a package here`);
      if (!['major', 'minor', 'patch', 'none'].includes(type)) {
        problems.push(`${file}: ${name}: '${type}' is not a bump type (major, minor, patch, none)`);
      }
      named.add(name);
    }
    continue;
  }
  for (const [dir, name] of packageDirs) {
    if (file.startsWith(dir) && SHIPPED.test(file.slice(dir.length))) {
      changedPackages.set(name, [...(changedPackages.get(name) ?? []), file]);
    }
  }
}

if (changedPackages.size === 0 && changesets.length === 0) {
  console.log(`changeset check passed: no package changed since ${base} (${mergeBase.out.slice(0, 8)})`);
  process.exit(0);
}

for (const [name, files] of changedPackages) {
  if (named.has(name)) continue;
  problems.push(
    `${name} changed since ${base} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}) ` +
      'but no changeset added on this branch names it: add .changeset/<branch>-<topic>.md',
  );
}

// Changesets' own view of the committed ones (release plan, dependants). It reads only committed
// changeset files, so it waits until the new ones are committed.
const untracked = new Set(lines(git(['ls-files', '--others', '--exclude-standard', '.changeset']).out));
if (problems.length === 0 && !changesets.some((file) => untracked.has(file))) {
  const status = spawnSync(
    process.execPath,
    [join(root, 'node_modules/@changesets/cli/bin.js'), 'status', `--since=${base}`],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  if (status.status !== 0)
    problems.push(`changeset status --since=${base}:\n${status.stdout}${status.stderr}`);
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`FAIL ${problem}`);
  process.exit(1);
}
console.log(
  `changeset check passed: ${changedPackages.size} package(s) changed since ${base}, ` +
    `named by ${changesets.join(', ') || '(no changeset needed)'}`,
);

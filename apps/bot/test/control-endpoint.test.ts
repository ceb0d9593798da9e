import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerTokenCheck,
  type ControlServer,
  MAX_BODY_BYTES,
  readControl,
  startControlServer,
  writeFileNoFollow,
} from '../src/index.js';
import {
  AGENT_KEY,
  auditFillIds,
  eventually,
  type RunningBot,
  type RunningSim,
  runCli,
  spawnBot,
  startSim,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-endpoint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request with every header as given (Host included), on 127.0.0.1. */
function call(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        setHost: false,
        headers: options.headers ?? {},
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Declares a body of `declared` bytes, sends only the headers, and waits for the answer: a server that buffers
 * before it refuses would wait for the body (and time out here).
 */
function declareHugeBody(port: number, headers: Record<string, string>, declared: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 3 s: the server waits for the body'));
    }, 3_000);
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(text.slice(9, 12)), body: text });
      }
    });
    socket.on('error', reject);
    const lines = [`POST /kill HTTP/1.1`, `Content-Length: ${declared}`, 'Content-Type: application/json'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Streams a chunked body of up to `total` bytes; returns how many bytes the server let in before it stopped. */
function streamChunked(
  port: number,
  headers: Record<string, string>,
  total: number,
): Promise<{ sent: number; status: number | undefined }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    let status: number | undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ sent, status });
    };
    socket.on('data', (d: Buffer) => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString());
      if (m !== null) status = Number(m[1]);
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const lines = ['POST /kill HTTP/1.1', 'Transfer-Encoding: chunked', 'Content-Type: application/json'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        const more =
          socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!done) socket.end('0\r\n\r\n');
    };
    pump();
    setTimeout(finish, 20_000).unref();
  });
}

const TOKEN = 'c0ffee'.repeat(8);

describe('the control endpoint (in process, real HTTP on 127.0.0.1)', () => {
  let server: ControlServer;
  const handled: string[] = [];
  beforeAll(async () => {
    server = await startControlServer({
      port: 0,
      token: TOKEN,
      publicPaths: ['/health', '/metrics'],
      handler: async (req, res) => {
        handled.push(`${req.method} ${req.url.pathname}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, body: req.body }));
      },
    });
  });
  afterAll(() => server.close());
  const host = () => `127.0.0.1:${server.port}`;
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('serves the address and port it listens on, 127.0.0.1 or localhost', async () => {
    expect((await call(server.port, { path: '/health', headers: { host: host() } })).status).toBe(200);
    expect(
      (await call(server.port, { path: '/metrics', headers: { host: `localhost:${server.port}` } })).status,
    ).toBe(200);
  });

  it('refuses every other Host (DNS rebinding) with 421, before any route runs, for any Host shape', async () => {
    const before = handled.length;
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    const hostile = fc.oneof(
      label.map((l) => `${l}.example:${server.port}`),
      label.map((l) => `127.0.0.1.${l}.nip.io:${server.port}`),
      label.map((l) => `localhost.${l}:${server.port}`),
      fc
        .integer({ min: 1, max: 65535 })
        .filter((p) => p !== server.port)
        .map((p) => `127.0.0.1:${p}`),
      fc.constantFrom(
        '127.0.0.1',
        'localhost',
        `[::1]:${server.port}`,
        `0x7f000001:${server.port}`,
        `2130706433:${server.port}`,
        `127.1:${server.port}`,
        `127.0.0.1:${server.port}.evil`,
        `127.0.0.1:0${server.port}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        hostile,
        fc.constantFrom('/metrics', '/health', '/status', '/kill'),
        async (h, path) => {
          const r = await call(server.port, {
            path,
            method: path === '/kill' ? 'POST' : 'GET',
            headers: { host: h, ...auth },
          });
          expect(r.status).toBe(421);
        },
      ),
      { numRuns: 60 },
    );
    const noHost = await call(server.port, { path: '/metrics' });
    expect(noHost.status).toBe(400);
    expect(handled.length).toBe(before);
  });

  it('needs the exact bearer token outside the public GET paths', async () => {
    const tries = [
      undefined,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.slice(0, -1)}0`,
      `bearer ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN}${TOKEN}`,
    ];
    for (const authorization of tries) {
      const headers: Record<string, string> = { host: host() };
      if (authorization !== undefined) headers.authorization = authorization;
      expect((await call(server.port, { path: '/status', headers })).status).toBe(401);
    }
    expect(
      (await call(server.port, { path: '/health', method: 'POST', headers: { host: host() } })).status,
    ).toBe(401);
    expect((await call(server.port, { path: '/status', headers: { host: host(), ...auth } })).status).toBe(
      200,
    );
  });

  it('answers 400, never 500, to any body that is not a JSON object, and passes JSON objects on', async () => {
    const isObject = (text: string) => {
      try {
        const v: unknown = JSON.parse(text);
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      } catch {
        return false;
      }
    };
    const bodies = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.constantFrom(
        '{',
        '{"reason":',
        '[]',
        'null',
        '"kill"',
        '1e999999',
        '{"a":1}{"b":2}',
        '\u0000',
        '{"__proto__":{"x":1}}',
      ),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (text) => {
        const r = await call(server.port, {
          method: 'POST',
          path: '/kill',
          headers: { host: host(), ...auth, 'content-type': 'application/json' },
          body: text,
        });
        expect(r.status).toBe(text.length === 0 || isObject(text) ? 200 : 400);
      }),
      { numRuns: 150 },
    );
    const bad = await call(server.port, {
      method: 'POST',
      path: '/kill',
      headers: { host: host(), ...auth },
      body: Buffer.from([0xff, 0xfe, 0x7b]),
    });
    expect(bad.status).toBe(400);
  });

  it(`refuses a declared body over ${MAX_BODY_BYTES} bytes at once, without reading it`, async () => {
    const before = handled.length;
    const r = await declareHugeBody(server.port, { host: host(), ...auth }, 150 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(handled.length).toBe(before);
  });

  it('stops reading a chunked body once it passes the cap, and keeps serving', async () => {
    const before = handled.length;
    const r = await streamChunked(server.port, { host: host(), ...auth }, 150 * 1024 * 1024);
    // What the kernel buffers on both sides gets through before the close; 150 MiB does not.
    expect(r.sent).toBeLessThan(32 * 1024 * 1024);
    expect(handled.length).toBe(before);
    expect((await call(server.port, { path: '/health', headers: { host: host() } })).status).toBe(200);
  });

  it('accepts a body exactly at the cap', async () => {
    const pad = 'x'.repeat(MAX_BODY_BYTES - '{"p":""}'.length);
    const r = await call(server.port, {
      method: 'POST',
      path: '/kill',
      headers: { host: host(), ...auth },
      body: `{"p":"${pad}"}`,
    });
    expect(r.status).toBe(200);
    const over = await call(server.port, {
      method: 'POST',
      path: '/kill',
      headers: { host: host(), ...auth },
      body: `{"p":"${pad}x"}`,
    });
    expect(over.status).toBe(413);
  });
});

describe('the token comparison', () => {
  /** Median time of a check against a wrong header that differs at the first vs the last byte, interleaved. */
  function lateOverEarly(check: (header: string) => boolean, token: string): number {
    // Flat strings (no ropes), so only the comparison itself differs between the two.
    const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
    const early = flat(`Bearer b${token.slice(1)}`);
    const late = flat(`Bearer ${token.slice(0, -1)}b`);
    const e: number[] = [];
    const l: number[] = [];
    for (let i = 0; i < 41; i += 1) {
      let t = process.hrtime.bigint();
      expect(check(early)).toBe(false);
      e.push(Number(process.hrtime.bigint() - t));
      t = process.hrtime.bigint();
      expect(check(late)).toBe(false);
      l.push(Number(process.hrtime.bigint() - t));
    }
    e.sort((a, b) => a - b);
    l.sort((a, b) => a - b);
    return (l[20] ?? 0) / Math.max(1, e[20] ?? 0);
  }

  it('takes the same time wherever the first wrong byte is (digests compared, not strings)', () => {
    // A 4 MiB token makes an early-exit comparison measurable; the harness must see one in a plain ===.
    const token = 'a'.repeat(4 * 1024 * 1024);
    const expected = Buffer.from(`Bearer ${token}`, 'latin1').toString('latin1');
    expect(lateOverEarly((h) => h === expected, token)).toBeGreaterThan(5);
    // The early-exit === above is thousands of times slower late than early; within 3x either way is noise from
    // other processes on a shared machine, not a comparison that leaks the position of the first wrong byte.
    const ratio = lateOverEarly(bearerTokenCheck(token), token);
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it('accepts exactly "Bearer <token>"', () => {
    const check = bearerTokenCheck(TOKEN);
    expect(check(`Bearer ${TOKEN}`)).toBe(true);
    for (const h of [
      undefined,
      '',
      TOKEN,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `bearer ${TOKEN}`,
    ]) {
      expect(check(h)).toBe(false);
    }
  });
});

describe('files the bot writes', () => {
  it('a control file of any content is either a loopback bot of this user or refused with STATE_FILE_UNSAFE', async () => {
    const dir = join(work, 'hostile-control');
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, 'control.json');
    const info = fc.record(
      {
        pid: fc.oneof(fc.constant(process.pid), fc.integer(), fc.constant(1), fc.double()),
        url: fc.oneof(
          fc.constant('http://127.0.0.1:8080'),
          fc.webUrl(),
          fc.constantFrom(
            'http://127.0.0.1.evil:1',
            'https://127.0.0.1:1',
            'http://localhost:1',
            'http://127.0.0.1:1/x',
          ),
        ),
        token: fc.oneof(fc.constant('ab'.repeat(24)), fc.string()),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const content = fc.oneof(
      info.map((o) => JSON.stringify(o)),
      fc.string(),
      fc.json(),
    );
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        rmSync(path, { force: true });
        writeFileSync(path, text, { mode: 0o600 });
        try {
          const r = await readControl(dir);
          if (r !== undefined) {
            expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
            expect(() => process.kill(r.pid, 0)).not.toThrow(); // a live process of this user
          }
        } catch (error) {
          expect((error as { code?: string }).code).toBe('STATE_FILE_UNSAFE');
        }
      }),
      { numRuns: 200 },
    );
    rmSync(path, { force: true });
    mkdirSync(path);
    await expect(readControl(dir)).rejects.toMatchObject({ code: 'STATE_FILE_UNSAFE' });
    rmSync(path, { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1', token: 'ab'.repeat(24) }),
      { mode: 0o644 },
    );
    await expect(readControl(dir)).rejects.toThrow(/mode 644/);
  });

  it('replace a planted symlink instead of writing through it', async () => {
    const dir = join(work, 'no-follow');
    mkdirSync(dir, { mode: 0o700 });
    const target = join(work, 'target.txt');
    writeFileSync(target, 'untouched', { mode: 0o644 });
    symlinkSync(target, join(dir, 'control.json'));
    await writeFileNoFollow(join(dir, 'control.json'), '{"token":"secret"}');
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    const st = lstatSync(join(dir, 'control.json'));
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'control.json'), 'utf8')).toBe('{"token":"secret"}');
  });
});

describe('the built bot as a process against hl-sim', () => {
  let sim: RunningSim;
  let bot: RunningBot;
  let stateDir: string;
  let leak: string;
  let port: number;
  let token: string;
  beforeAll(async () => {
    sim = await startSim();
    stateDir = join(work, 'bot');
    mkdirSync(stateDir, { mode: 0o700 });
    // Someone planted control.json as a link to a file they can read: the token must not end up there.
    leak = join(work, 'leak.txt');
    writeFileSync(leak, '');
    symlinkSync(leak, join(stateDir, 'control.json'));
    bot = spawnBot(writeConfig(stateDir, sim), stateDir);
    let control: { url: string; token: string } | undefined;
    await eventually(
      () => {
        try {
          // Read through whatever is at the path, so each test below judges the file on its own.
          control = JSON.parse(readFileSync(join(stateDir, 'control.json'), 'utf8')) as typeof control;
          return true;
        } catch {
          return false;
        }
      },
      'the bot to write control.json',
      30_000,
    );
    if (control === undefined) throw new Error('no control file');
    port = Number(new URL(control.url).port);
    token = control.token;
  }, 60_000);
  afterAll(async () => {
    if (bot !== undefined && bot.proc.exitCode === null) {
      bot.proc.kill('SIGTERM');
      await bot.exited;
    }
    await sim?.stop();
  });

  it('wrote control.json as its own mode-600 file; the planted link target never saw the token', () => {
    expect(readFileSync(leak, 'utf8')).toBe('');
    expect(lstatSync(join(stateDir, 'control.json')).isFile()).toBe(true);
    expect(statSync(join(stateDir, 'control.json')).mode & 0o777).toBe(0o600);
  });

  it('no longer shows the key in /proc/PID/environ, and still trades with it', async () => {
    const environ = readFileSync(`/proc/${bot.proc.pid}/environ`);
    expect(environ.includes(Buffer.from(AGENT_KEY.slice(2)))).toBe(false);
    expect(environ.toString('latin1')).not.toMatch(/HL_PRIVATE_KEY=[^\0]/);
    // The rest of the environment is intact.
    expect(environ.toString('latin1')).toContain(`PATH=${process.env.PATH}`);
    await eventually(
      async () => {
        try {
          return (await auditFillIds(stateDir)).length >= 1;
        } catch {
          return false;
        }
      },
      'a fill (a signed order reached the venue)',
      30_000,
    );
  });

  it('refuses a rebinding Host on /metrics and /health; serves its own', async () => {
    expect(
      (await call(port, { path: '/metrics', headers: { host: `attacker.example:${port}` } })).status,
    ).toBe(421);
    expect(
      (await call(port, { path: '/health', headers: { host: `attacker.example:${port}` } })).status,
    ).toBe(421);
    const own = await call(port, { path: '/metrics', headers: { host: `127.0.0.1:${port}` } });
    expect(own.status).toBe(200);
    expect(own.body).toContain('hl_bot_circuit_breaker_tripped 0');
  });

  it('answers a huge body with 413 at once, malformed JSON with 400, and neither trips the breaker', async () => {
    const headers = { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` };
    expect((await declareHugeBody(port, headers, 150 * 1024 * 1024)).status).toBe(413);
    const chunked = await streamChunked(port, headers, 150 * 1024 * 1024);
    expect(chunked.sent).toBeLessThan(32 * 1024 * 1024);
    for (const body of ['{', '{"reason": "x",', '[1,2]', 'null']) {
      const r = await call(port, { method: 'POST', path: '/kill', headers, body });
      expect(r.status).toBe(400);
    }
    const wrong = await call(port, {
      path: '/status',
      headers: { ...headers, authorization: `Bearer ${'0'.repeat(token.length)}` },
    });
    expect(wrong.status).toBe(401);
    const status = JSON.parse((await call(port, { path: '/status', headers })).body) as {
      circuitBreakerTripped: boolean;
    };
    expect(status.circuitBreakerTripped).toBe(false);
  });

  it('reset-breaker and status against the running bot say what they did, with ISO times', async () => {
    const nothing = await runCli(['reset-breaker', '--state-dir', stateDir]);
    expect(nothing.out).toContain('was not tripped: nothing to reset');
    expect(nothing.code).toBe(0);
    expect((await runCli(['kill', '--state-dir', stateDir, '--reason', 'endpoint test'])).code).toBe(0);
    const cooling = await runCli(['reset-breaker', '--state-dir', stateDir]);
    expect(cooling.out).toMatch(
      /cooling down until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \(\d+m \d{2}s left\)/,
    );
    expect(cooling.code).toBe(1);
    const status = await runCli(['status', '--state-dir', stateDir]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/cooldownUntil\s+\d{4}-\d{2}-\d{2}T[\d:.]+Z \(\d+m \d{2}s left\)/);
    expect(status.out).toMatch(/"time":"\d{4}-\d{2}-\d{2}T/);
  });

  it('stops on SIGTERM with exit 0', async () => {
    bot.proc.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });
});

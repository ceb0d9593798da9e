import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

// Before/after, interleaved in one process: `node bench/interleaved.mjs [append|verify|both] [rounds] [n]` with
// BASE_AUDIT and BASE_CT naming an older build's audit and core-types `dist/index.js` (copied aside, with its
// own node_modules so it resolves its core-types); DUR=none|group, PLAIN=1 for events parsed in full. Prints
// the median CPU and wall time per append / per verified line of each build.
const builds = {
  base: { audit: await import(process.env.BASE_AUDIT), ct: await import(process.env.BASE_CT) },
  new: { audit: await import('../dist/index.js'), ct: await import('@hl-bot/core-types') },
};
const RAW_ORDER = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' };
for (const b of Object.values(builds))
  b.orders = Array.from({ length: 1024 }, () => b.ct.parseValidated(b.ct.OrderRequest, RAW_ORDER, 'order'));
const what = process.argv[2] ?? 'both';
const ROUNDS = Number(process.argv[3] ?? 5);
const N = Number(process.argv[4] ?? 100000);
const plain = process.env.PLAIN === '1';
const dirs = [];
async function appendRound(b, durability) {
  const dir = await mkdtemp(join(tmpdir(), 's5a-cmp-'));
  dirs.push(dir);
  const audit = await b.audit.AuditLogger.open(dir, { durability });
  const ev = plain
    ? (i) => ({ type: 'order_submitted', orderId: `o${i}`, order: { ...RAW_ORDER } })
    : (i) => ({ type: 'order_submitted', orderId: `o${i}`, order: b.orders[i % 1024] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < N; s += 1000) {
    const batch = [];
    for (let i = s; i < s + 1000; i++) batch.push(audit.append(ev(i)));
    await Promise.all(batch);
  }
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  await audit.close();
  await rm(dir, { recursive: true, force: true });
  return { cpu: (c.user + c.system) / N, wall: (wall * 1000) / N };
}
async function verifyRound(b, dir, n) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await b.audit.verifyAuditLog(dir, { workers: 0 });
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  if (!r.ok || r.entries !== n) throw new Error('verify failed');
  return { cpu: (c.user + c.system) / n, wall: (wall * 1000) / n };
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const res = { base: { a: [], v: [] }, new: { a: [], v: [] } };
console.log(
  'load',
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' '),
);
let vdir;
if (what !== 'append') {
  vdir = await mkdtemp(join(tmpdir(), 's5a-v-'));
  dirs.push(vdir);
  const audit = await builds.new.audit.AuditLogger.open(vdir, { durability: 'none' });
  for (let s = 0; s < N * 3; s += 1000) {
    const batch = [];
    for (let i = s; i < s + 1000; i++)
      batch.push(
        audit.append({ type: 'order_submitted', orderId: `o${i}`, order: builds.new.orders[i % 1024] }),
      );
    await Promise.all(batch);
  }
  await audit.close();
}
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? ['base', 'new'] : ['new', 'base'];
  for (const k of order) {
    if (what !== 'verify') res[k].a.push(await appendRound(builds[k], process.env.DUR ?? 'group'));
    if (what !== 'append') res[k].v.push(await verifyRound(builds[k], vdir, N * 3));
  }
}
for (const m of ['a', 'v']) {
  if (res.base[m].length === 0) continue;
  const bc = med(res.base[m].map((x) => x.cpu)),
    nc = med(res.new[m].map((x) => x.cpu));
  const bw = med(res.base[m].map((x) => x.wall)),
    nw = med(res.new[m].map((x) => x.wall));
  console.log(
    m === 'a' ? `append (${plain ? 'plain' : 'composed'}, ${process.env.DUR ?? 'group'})` : 'verify',
    `cpu µs base ${bc.toFixed(2)} new ${nc.toFixed(2)} new/base ${(nc / bc).toFixed(3)} | wall µs base ${bw.toFixed(2)} new ${nw.toFixed(2)} new/base ${(nw / bw).toFixed(3)}`,
  );
  console.log(
    '  per-round cpu base',
    res.base[m].map((x) => x.cpu.toFixed(2)).join(' '),
    'new',
    res.new[m].map((x) => x.cpu.toFixed(2)).join(' '),
  );
}
console.log(
  'load',
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' '),
);
for (const d of dirs) await rm(d, { recursive: true, force: true });

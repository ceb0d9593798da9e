// Child process for the kill test: applies the scenario to a tracker on a real AuditLogger, one step at a
// time, and reports each step once it resolved (i.e. once it is durable). The test kills it mid-stream.
import { AuditLogger } from '@hl-bot/audit';
import { PositionTracker } from '../src/index.js';
import { scenario } from './fixtures/scenario.js';

const [dir, count, seed] = process.argv.slice(2);
if (dir === undefined || count === undefined || seed === undefined) {
  throw new Error('usage: fill-writer <dir> <steps> <seed>');
}
const audit = await AuditLogger.open(dir, { durability: 'group', groupCommitMs: 0 });
const tracker = new PositionTracker(audit);
for (const [i, step] of scenario(Number(count), Number(seed)).entries()) {
  if (step.kind === 'fill') await tracker.updateFromFill(step.fill);
  else if (step.kind === 'mark') await tracker.updateMarketPrice(step.symbol, step.price, step.time);
  else if (tracker.getPosition(step.symbol) !== undefined) {
    await tracker.applyFunding(step.symbol, step.amount, step.time, step.fundingId);
  }
  process.stdout.write(`step ${i}\n`);
}
process.stdout.write('done\n');
await audit.close();

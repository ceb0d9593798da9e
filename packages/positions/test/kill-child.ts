// Child process for the kill test: applies the scenario to a tracker on a real AuditLogger, one step at a
// time, and reports each step once it resolved (i.e. once it is durable). The test kills it mid-stream.
import { AuditLogger } from '@hl-bot/audit';
import { PositionTracker } from '../src/index.js';
import { scenario } from './fixtures/scenario.js';

const [dir, count, seed, mode, checkpoints] = process.argv.slice(2);
if (dir === undefined || count === undefined || seed === undefined) {
  throw new Error('usage: kill-child <dir> <steps> <seed> [serial|burst] [checkpoints]');
}
const audit = await AuditLogger.open(dir, { durability: 'group', groupCommitMs: 0 });
// `checkpoints`: one every few events, so the kill often lands while one is being written.
const tracker = new PositionTracker(
  audit,
  checkpoints === 'checkpoints' ? { checkpointEvery: { events: 5 } } : {},
);
const steps = scenario(Number(count), Number(seed));
const apply = async (step: (typeof steps)[number]) => {
  if (step.kind === 'fill') await tracker.updateFromFill(step.fill);
  else if (step.kind === 'mark') {
    tracker.updateMarketPrice(step.symbol, step.price, step.time);
    await tracker.flush();
  } else if (tracker.getPosition(step.symbol) !== undefined) {
    await tracker.applyFunding(step.symbol, step.amount, step.time, step.fundingId);
  }
};
if (mode === 'burst') {
  // Bursts of fills in flight together (one group commit), as a venue batch would arrive.
  let i = 0;
  while (i < steps.length) {
    const burst: Promise<unknown>[] = [];
    while (i < steps.length && burst.length < 25 && steps[i]?.kind === 'fill') {
      burst.push(apply(steps[i] as (typeof steps)[number]));
      i += 1;
    }
    if (burst.length === 0) {
      await apply(steps[i] as (typeof steps)[number]);
      i += 1;
    } else {
      await Promise.all(burst);
    }
    process.stdout.write(`step ${i - 1}\n`);
  }
} else {
  for (const [i, step] of steps.entries()) {
    await apply(step);
    process.stdout.write(`step ${i}\n`);
  }
}
process.stdout.write('done\n');
await audit.close();

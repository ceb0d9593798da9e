import type { AccountState } from '@hl-bot/core-types';
import type { EngineCore } from './engine-core.js';
import { checkReducing } from './halt.js';

/**
 * One account read, reported to risk. The venue measures the account at one time and pushes deposits and
 * withdrawals on another channel: a read that lands between a withdrawal and its push shows the money gone
 * with no cash flow to explain it, and risk would latch REDUCING for the day on a "loss" of its amount. So
 * while the engine runs (its ledger listener is subscribed), a read that would latch
 * (`RiskManager.wouldLatchReducing`) is followed by a ledger sync, and every read goes to risk through the
 * event queue, behind every change already delivered. (A deposit read first is safe: risk keeps a peak
 * measured holding it when the flow arrives.)
 */
export function refreshAccount(core: EngineCore): Promise<AccountState> {
  // One at a time, in call order (a bar and the bot's timer often ask together): side by side, the older
  // read could reach risk after the newer one, behind a cash flow only the newer one holds.
  const run = (inFlight.get(core) ?? Promise.resolve()).then(
    () => refreshOnce(core),
    () => refreshOnce(core),
  );
  inFlight.set(core, run);
  return run;
}

const inFlight = new WeakMap<EngineCore, Promise<AccountState>>();

async function refreshOnce(core: EngineCore): Promise<AccountState> {
  const account = await core.exchange.getAccountState();
  core.account = account;
  core.lastAccountRefresh = core.clock.now();
  core.accountDirty = false;
  let syncFailure: unknown;
  // Before start() subscribes, a sync would mark the changes seen with nobody listening: never delivered.
  // Only a read that would latch REDUCING can be misread for good; the others skip the sync's weight (20 of
  // the venue's 1,200 per minute per IP, on every refresh): a flow arriving after them is applied as usual.
  if (
    core.running &&
    core.exchange.syncLedger !== undefined &&
    core.risk.wouldLatchReducing(account.equity)
  ) {
    try {
      await core.exchange.syncLedger();
    } catch (error) {
      syncFailure = error;
    }
  }
  const report = () =>
    core.risk.updateAccount({
      balance: account.balance,
      equity: account.equity,
      marginUsed: account.marginUsed,
      // When the venue measured it: risk then knows which deposits and withdrawals it already holds.
      timestamp: account.timestamp,
    });
  await (core.running ? core.queue.run(report) : report());
  if (core.running) await checkReducing(core, core.risk.tradingState);
  // The read itself is good and reported: a withdrawal it holds whose change did not arrive reads as a
  // loss until it does (REDUCING at worst, the safe side). The caller still hears that the sync failed.
  if (syncFailure !== undefined) throw syncFailure;
  return account;
}

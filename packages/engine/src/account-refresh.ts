import type { AccountState } from '@hl-bot/core-types';
import type { EngineCore } from './engine-core.js';
import { checkReducing } from './halt.js';

/**
 * One account read, reported to risk. The venue measures the account at one time and pushes deposits and
 * withdrawals on another channel: a read that lands between a withdrawal and its push shows the money gone
 * with no cash flow to explain it, and risk would latch REDUCING for the day on a "loss" of its amount (a
 * deposit read first raises the day's peak, and the flow then raises it again: a drawdown that is not). So
 * while the engine runs (its ledger listener is subscribed), a read that would move the day's limits
 * (`RiskManager.wouldMoveLimits`) is followed by a ledger sync, and every read goes to risk through the
 * event queue, behind every change already delivered.
 */
export async function refreshAccount(core: EngineCore): Promise<AccountState> {
  const account = await core.exchange.getAccountState();
  core.account = account;
  core.lastAccountRefresh = core.clock.now();
  core.accountDirty = false;
  let syncFailure: unknown;
  // Before start() subscribes, a sync would mark the changes seen with nobody listening: never delivered.
  // Only a read that would move the day's limits (a new peak, a latch) can be misread; the others skip the
  // sync's weight (20 of the venue's 1,200 per minute per IP, on every refresh).
  if (core.running && core.exchange.syncLedger !== undefined && core.risk.wouldMoveLimits(account.equity)) {
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

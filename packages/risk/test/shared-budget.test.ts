import { Decimal, LocalRiskBudget, ManualClock, type RiskBudget, TradingState } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { RiskCode, RiskConfig, RiskManager } from '../src/index.js';
import { GENEROUS_LIMITS, limitBuy, limitSell, long, MemorySink, setup, T0 } from './helpers.js';

// Two managers (two strategies or bots) on one account share one budget. LocalRiskBudget is the
// in-process implementation of the same port the PostgreSQL one implements; each manager's own limits
// are far above the account's cap, so only the shared budget can refuse.
function twoBots(caps: ConstructorParameters<typeof LocalRiskBudget>[0]) {
  const budget = new LocalRiskBudget(caps);
  return { budget, a: setup({}, '100000', budget), b: setup({}, '100000', budget) };
}

describe('a RiskManager with a shared budget', () => {
  it('without one behaves as before: the default budget counts but never refuses', async () => {
    const { risk } = setup({}, '100000');
    for (let i = 0; i < 5; i++) expect((await risk.checkOrder(limitBuy('0.1'))).approved).toBe(true);
    expect(risk.budget.state).toMatchObject({ tradingState: TradingState.ACTIVE, available: true });
  });

  it('refuses an opening order the account has no room for, whichever bot holds the room', async () => {
    const { budget, a, b } = twoBots({ maxExposure: new Decimal(10_000) });
    const first = await a.risk.checkOrder(limitBuy('0.12')); // 6,000
    expect(first.approved).toBe(true);
    const second = await b.risk.checkOrder(limitBuy('0.12'));
    expect(second).toMatchObject({ approved: false, code: RiskCode.SHARED_BUDGET_EXCEEDED });
    expect(second.failures[0]?.details).toMatchObject({ budget: 'BUDGET_EXPOSURE' });
    // The rejection is audited like any other.
    expect(b.sink.ofType('risk_rejected').at(-1)?.code).toBe(RiskCode.SHARED_BUDGET_EXCEEDED);
    expect((await b.risk.checkOrder(limitBuy('0.08'))).approved).toBe(true); // 4,000: exactly the cap
    expect(budget.ledger.exposure.toString()).toBe('10000');
    // A's order is cancelled: its share goes back, and B may use it.
    a.risk.releaseReservation(first.reservation?.id ?? '', 'submitted');
    a.risk.orderCancelled(first.reservation?.id ?? '');
    expect(budget.ledger.exposure.toString()).toBe('4000');
    expect((await b.risk.checkOrder(limitBuy('0.12'))).approved).toBe(true);
  });

  it('keeps what filled as the position until it is flat, never while the order may be live', async () => {
    const { budget, a, b } = twoBots({ maxExposure: new Decimal(10_000) });
    const r = await a.risk.checkOrder(limitBuy('0.1')); // 5,000
    const id = r.reservation?.id ?? '';
    a.risk.releaseReservation(id, 'submitted');
    // Half fills: the order may still be live, so all of it still counts.
    a.risk.updatePosition(long('BTC-USD', '0.05', '50000'));
    a.risk.orderFilled(id, '0.05');
    expect(budget.ledger.exposure.toString()).toBe('5000');
    // The rest is cancelled: what filled (2,500) stays as the position.
    a.risk.orderCancelled(id);
    expect(budget.ledger.exposure.toString()).toBe('2500');
    expect(budget.ledger.liveOrders).toBe(0);
    expect((await b.risk.checkOrder(limitBuy('0.16'))).approved).toBe(false); // 8,000 > 7,500 left
    // The position closes by a reducing order (it takes nothing) and goes flat: its share goes back.
    const exit = await a.risk.checkOrder(limitSell('0.05'));
    expect(exit.approved).toBe(true);
    a.risk.removePosition('BTC-USD');
    a.risk.releaseReservation(exit.reservation?.id ?? '', 'filled');
    expect(budget.ledger.exposure.toString()).toBe('0');
    expect((await b.risk.checkOrder(limitBuy('0.16'))).approved).toBe(true);
  });

  it('counts a position it finds (a restart, reconciliation) without an order', async () => {
    const { budget, a, b } = twoBots({ maxExposure: new Decimal(10_000) });
    a.risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect(budget.ledger.exposure.toString()).toBe('5000');
    expect(budget.ledger.positions).toBe(1);
    expect((await b.risk.checkOrder(limitBuy('0.12'))).approved).toBe(false);
    a.risk.removePosition('BTC-USD');
    expect(budget.ledger.exposure.toString()).toBe('0');
    expect(budget.ledger.positions).toBe(0);
  });

  it('keeps the position slot when the order that took it is cancelled while another order on the symbol fills', async () => {
    const { budget, a, b } = twoBots({ maxPositions: 1 });
    b.risk.updateMarketPrice('ETH-USD', '2500');
    const first = await a.risk.checkOrder(limitBuy('0.01')); // takes BTC's slot
    const second = await a.risk.checkOrder(limitBuy('0.01')); // same symbol: no new slot
    expect(first.approved && second.approved).toBe(true);
    const firstId = first.reservation?.id ?? '';
    const secondId = second.reservation?.id ?? '';
    a.risk.releaseReservation(firstId, 'submitted');
    a.risk.releaseReservation(secondId, 'submitted');
    // The first is cancelled unfilled while the second is still working: BTC still needs its slot.
    a.risk.orderCancelled(firstId);
    expect(budget.ledger.positions).toBe(1);
    // The second fills: BTC is a position, and the account's one slot stays taken.
    a.risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    a.risk.orderFilled(secondId, '0.01');
    expect(budget.ledger.positions).toBe(1);
    expect((await b.risk.checkOrder(limitBuy('1', '2500', 'ETH-USD'))).approved).toBe(false);
    // Flat again: the slot goes back.
    a.risk.removePosition('BTC-USD');
    expect(budget.ledger.positions).toBe(0);
  });

  it('shares the position count, working orders included', async () => {
    const { a, b } = twoBots({ maxPositions: 1 });
    a.risk.updateMarketPrice('ETH-USD', '2500');
    b.risk.updateMarketPrice('ETH-USD', '2500');
    expect((await a.risk.checkOrder(limitBuy('0.01'))).approved).toBe(true);
    // A second order on the same symbol needs no new slot; another symbol does.
    expect((await a.risk.checkOrder(limitBuy('0.01'))).approved).toBe(true);
    const eth = await b.risk.checkOrder(limitBuy('1', '2500', 'ETH-USD'));
    expect(eth.failures[0]?.details).toMatchObject({ budget: 'BUDGET_POSITIONS' });
  });

  it('a trip in one bot halts the other; one reset resumes both', async () => {
    const { budget, a, b } = twoBots({});
    await a.risk.tripCircuitBreaker('operator kill');
    expect(budget.state.tradingState).toBe(TradingState.HALTED);
    expect(b.risk.state).toMatchObject({
      tradingState: TradingState.HALTED,
      circuitBreakerReason: 'shared breaker: operator kill',
    });
    expect((await b.risk.checkOrder(limitBuy('0.01'))).code).toBe(RiskCode.CIRCUIT_BREAKER_TRIPPED);
    await b.risk.flush();
    expect(b.sink.ofType('circuit_breaker_tripped').at(-1)?.reason).toBe('shared breaker: operator kill');
    a.clock.advance(a.config.circuitBreakerCooldownMinutes * 60_000);
    expect(a.risk.resetCircuitBreaker('checked')).toBe(true);
    await Promise.resolve();
    expect(budget.state.tradingState).toBe(TradingState.ACTIVE);
    expect(b.risk.state.tradingState).toBe(TradingState.ACTIVE);
    expect((await b.risk.checkOrder(limitBuy('0.01'))).approved).toBe(true);
  });

  it("feeds the account's loss streak: losses in different bots add up to one trip", async () => {
    const { a, b } = twoBots({ maxConsecutiveLosses: 2 });
    await a.risk.recordTradeResult('-10');
    expect(b.risk.state.tradingState).toBe(TradingState.ACTIVE);
    await b.risk.recordTradeResult('-10');
    expect(a.risk.state.tradingState).toBe(TradingState.HALTED);
    expect(b.risk.state.tradingState).toBe(TradingState.HALTED);
  });

  it("feeds the account's day P&L: the shared daily loss stops opening orders, exits still pass", async () => {
    const { a } = twoBots({ dailyLoss: new Decimal(500) });
    a.risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    await a.risk.updateAccount({ balance: '100000', equity: '99400' });
    const open = await a.risk.checkOrder(limitBuy('0.01'));
    expect(open.failures[0]?.details).toMatchObject({ budget: 'BUDGET_REDUCING' });
    expect((await a.risk.checkOrder(limitSell('0.05'))).approved).toBe(true);
  });

  it('a bot that starts (recovers) while the account is halted starts halted', async () => {
    const budget = new LocalRiskBudget();
    await budget.trip('halted by another bot');
    const sink = new MemorySink();
    const risk = await RiskManager.recover({ audit: sink, entries: [], budget });
    await risk.flush();
    expect(risk.state).toMatchObject({
      tradingState: TradingState.HALTED,
      circuitBreakerReason: 'shared breaker: halted by another bot',
    });
  });
});

describe("several bots on one venue account (pnlScope 'own')", () => {
  /**
   * The account's budget as each bot sees it: one LocalRiskBudget behind, the account's day P&L the sum
   * of each bot's last report (what the PostgreSQL budget does across processes).
   */
  class SummingBudget {
    readonly account: LocalRiskBudget;
    readonly #reported = new Map<string, Decimal>();
    constructor(caps: ConstructorParameters<typeof LocalRiskBudget>[0]) {
      this.account = new LocalRiskBudget(caps);
    }
    forBot(bot: string): RiskBudget {
      const shared = this.account;
      const reported = this.#reported;
      return {
        get state() {
          return shared.state;
        },
        tryTake: (id, need) => shared.tryTake(id, need),
        settle: (id, keep) => shared.settle(id, keep),
        give: (id) => shared.give(id),
        flush: () => shared.flush(),
        reportPnl: (pnl) => {
          reported.set(bot, pnl);
          shared.reportPnl([...reported.values()].reduce((x, y) => x.plus(y), new Decimal(0)));
        },
        recordTradeResult: (pnl) => shared.recordTradeResult(pnl),
        trip: (reason) => shared.trip(reason),
        reset: () => shared.reset(),
        onChange: (listener) => shared.onChange(listener),
        close: () => Promise.resolve(),
      };
    }
  }

  function bot(budget: SummingBudget, name: string) {
    const sink = new MemorySink();
    const config = RiskConfig.from({ ...GENEROUS_LIMITS, maxDailyLoss: '300', maxDrawdownPercent: '0.5' });
    const risk = new RiskManager({
      config,
      audit: sink,
      clock: new ManualClock(T0),
      budget: budget.forBot(name),
      pnlScope: 'own',
    });
    return { risk, sink };
  }

  it("each bot's limits see its own loss only, and the account's loss is counted once", async () => {
    const budget = new SummingBudget({ dailyLoss: new Decimal(1000) });
    const a = bot(budget, 'a');
    const b = bot(budget, 'b');
    // The account starts the day at 100,000; both bots measure it once.
    await a.risk.updateAccount({ balance: '100000', equity: '100000' });
    await b.risk.updateAccount({ balance: '100000', equity: '100000' });
    // B loses 400 on its trades: the account is at 99,600.
    await b.risk.recordTradeResult('-400');
    await a.risk.updateAccount({ balance: '99600', equity: '99600' });
    await b.risk.updateAccount({ balance: '99600', equity: '99600' });
    // A's own day is flat: B's loss is not A's, so A's 300 daily loss limit is not reached.
    expect(a.risk.state.dailyPnl.toString()).toBe('0');
    expect(a.risk.state.tradingState).toBe(TradingState.ACTIVE);
    expect(b.risk.state.dailyPnl.toString()).toBe('-400');
    expect(b.risk.state.tradingState).toBe(TradingState.REDUCING);
    // The account's day P&L is -400, once (account-scoped bots would have reported -400 each).
    expect(budget.account.state.accountDayPnl.toString()).toBe('-400');
    // A then loses 700 itself: the account is at -1,100, past the shared 1,000.
    await a.risk.recordTradeResult('-700');
    expect(budget.account.state.accountDayPnl.toString()).toBe('-1100');
    expect(budget.account.state.tradingState).toBe(TradingState.REDUCING);
  });

  it("a restart resumes the bot's own day from its log, not from the account's equity", async () => {
    const sink = new MemorySink();
    const config = RiskConfig.from({ ...GENEROUS_LIMITS, maxDailyLoss: '300' });
    const first = new RiskManager({ config, audit: sink, clock: new ManualClock(T0), pnlScope: 'own' });
    await first.updateAccount({ balance: '100000', equity: '100000' });
    await first.recordTradeResult('-100');
    await first.flush();
    // Meanwhile another bot lost 5,000 on the account.
    const again = await RiskManager.recover({
      audit: new MemorySink(),
      entries: sink.entries,
      clock: new ManualClock(T0 + 1000),
      config,
      pnlScope: 'own',
    });
    await again.updateAccount({ balance: '94900', equity: '94900' });
    expect(again.state.dailyPnl.toString()).toBe('-100');
    expect(again.state.tradingState).toBe(TradingState.ACTIVE);
  });
});

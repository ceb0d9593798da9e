import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  BudgetLedger,
  BudgetRefusalCode,
  Decimal,
  LocalRiskBudget,
  type SharedRiskState,
  TradingState,
  ZERO,
} from '../src/index.js';

const need = (exposure: number | string, positions = 0, orders = 1) => ({
  exposure: new Decimal(exposure),
  positions,
  orders,
});

// One step a RiskManager may take on the ledger: take for an id, settle it keeping part, or give it back.
const op = fc.oneof(
  fc.record({
    kind: fc.constant('take' as const),
    id: fc.integer({ min: 0, max: 9 }),
    exposure: fc.integer({ min: 0, max: 400 }),
    positions: fc.integer({ min: 0, max: 1 }),
  }),
  fc.record({
    kind: fc.constant('settle' as const),
    id: fc.integer({ min: 0, max: 9 }),
    exposure: fc.integer({ min: -5, max: 400 }),
  }),
  fc.record({ kind: fc.constant('give' as const), id: fc.integer({ min: 0, max: 9 }) }),
);

describe('BudgetLedger', () => {
  it.prop([fc.array(op, { maxLength: 80 })], { numRuns: 300 })(
    'never holds more than its limit, and its totals are always the sum of its holds',
    (ops) => {
      const ledger = new BudgetLedger();
      const limits = { maxExposure: new Decimal(1000), maxPositions: 3, maxOrders: 50 };
      const model = new Map<number, { exposure: number; positions: number; live: boolean }>();
      let spent = 0;
      for (const o of ops) {
        const id = `o${o.id}`;
        if (o.kind === 'take') {
          const result = ledger.take(id, need(o.exposure, o.positions), limits);
          const held = model.get(o.id);
          const total = [...model.values()].reduce((s, h) => s + h.exposure, 0) + o.exposure;
          const positions = [...model.values()].reduce((s, h) => s + h.positions, 0) + o.positions;
          const fits = held?.live !== true && total <= 1000 && positions <= 3 && spent + 1 <= 50;
          expect(result.ok).toBe(fits);
          if (fits) {
            spent += 1;
            model.set(o.id, {
              exposure: (held?.exposure ?? 0) + o.exposure,
              positions: (held?.positions ?? 0) + o.positions,
              live: true,
            });
          }
        } else if (o.kind === 'settle') {
          ledger.settle(id, { exposure: new Decimal(o.exposure), positions: 0 });
          const held = model.get(o.id);
          if (held !== undefined) {
            const keep = o.exposure < 0 ? 0 : Math.min(o.exposure, held.exposure);
            if (keep === 0) model.delete(o.id);
            else model.set(o.id, { exposure: keep, positions: 0, live: false });
          }
        } else {
          ledger.give(id);
          model.delete(o.id);
        }
        const values = [...model.values()];
        expect(ledger.exposure.toNumber()).toBe(values.reduce((s, h) => s + h.exposure, 0));
        expect(ledger.positions).toBe(values.reduce((s, h) => s + h.positions, 0));
        expect(ledger.liveOrders).toBe(values.filter((h) => h.live).length);
        expect(ledger.exposure.lte(1000)).toBe(true);
        expect(ledger.ordersSpent).toBe(spent);
      }
    },
  );

  it('refuses a second live take for one id, and invalid needs, with their codes', () => {
    const ledger = new BudgetLedger();
    expect(ledger.take('a', need(1), {})).toEqual({ ok: true });
    expect(ledger.take('a', need(1), {})).toMatchObject({ ok: false, code: BudgetRefusalCode.DUPLICATE });
    expect(ledger.take('b', need(-1), {})).toMatchObject({ ok: false, code: BudgetRefusalCode.INVALID });
    expect(ledger.take('', need(1), {})).toMatchObject({ ok: false, code: BudgetRefusalCode.INVALID });
    expect(ledger.take('c', { ...need(1), orders: 0.5 }, {})).toMatchObject({
      ok: false,
      code: 'BUDGET_INVALID',
    });
    expect(ledger.exposure.toString()).toBe('1');
  });

  it('spends order tokens for good: giving an order back does not refund its token', () => {
    const ledger = new BudgetLedger();
    const limits = { maxOrders: 2 };
    expect(ledger.take('a', need(1), limits).ok).toBe(true);
    ledger.give('a');
    expect(ledger.take('b', need(1), limits).ok).toBe(true);
    expect(ledger.take('c', need(1), limits)).toMatchObject({ code: BudgetRefusalCode.ORDER_RATE });
    ledger.resetOrders();
    expect(ledger.take('c', need(1), limits).ok).toBe(true);
  });
});

describe('LocalRiskBudget (the in-process budget)', () => {
  it('is unlimited without caps, like a bot with only its own limits', () => {
    const budget = new LocalRiskBudget();
    for (let i = 0; i < 100; i++) expect(budget.tryTake(`o${i}`, need('1e12', 1)).ok).toBe(true);
    expect(budget.state).toMatchObject({ tradingState: TradingState.ACTIVE, available: true });
  });

  it('enforces the exposure cap including working orders, and frees it when an order is given back', () => {
    const budget = new LocalRiskBudget({ maxExposure: new Decimal(10_000) });
    expect(budget.tryTake('o1', need(6000, 1)).ok).toBe(true);
    expect(budget.tryTake('o2', need(6000, 1))).toMatchObject({ code: BudgetRefusalCode.EXPOSURE });
    budget.settle('o1', { exposure: new Decimal(2000), positions: 1 });
    expect(budget.ledger.liveOrders).toBe(0);
    expect(budget.tryTake('o2', need(6000, 1)).ok).toBe(true);
    budget.give('o1');
    budget.give('o2');
    expect(budget.ledger.exposure.isZero()).toBe(true);
  });

  it('trips on a loss streak, halts every take, and reset clears it', async () => {
    const budget = new LocalRiskBudget({ maxConsecutiveLosses: 3 });
    const seen: SharedRiskState[] = [];
    budget.onChange((s) => seen.push(s));
    budget.recordTradeResult(new Decimal(-1));
    budget.recordTradeResult(new Decimal(-1));
    budget.recordTradeResult(new Decimal(5));
    expect(budget.state.consecutiveLosses).toBe(0);
    for (let i = 0; i < 3; i++) budget.recordTradeResult(new Decimal(-2));
    expect(budget.state.tradingState).toBe(TradingState.HALTED);
    expect(budget.tryTake('x', need(1))).toMatchObject({ ok: false, code: BudgetRefusalCode.HALTED });
    await budget.reset();
    expect(budget.state).toMatchObject({ tradingState: TradingState.ACTIVE, consecutiveLosses: 0 });
    expect(budget.tryTake('x', need(1)).ok).toBe(true);
    expect(seen.at(-1)?.tradingState).toBe(TradingState.ACTIVE);
    await budget.trip('operator kill');
    expect(budget.state).toMatchObject({ tradingState: TradingState.HALTED, reason: 'operator kill' });
  });

  it('goes REDUCING at the daily loss and at the drawdown from the day peak', () => {
    const loss = new LocalRiskBudget({ dailyLoss: new Decimal(100) });
    loss.reportPnl(new Decimal(-99.99));
    expect(loss.state.tradingState).toBe(TradingState.ACTIVE);
    loss.reportPnl(new Decimal(-100));
    expect(loss.state.tradingState).toBe(TradingState.REDUCING);
    expect(loss.tryTake('x', need(1))).toMatchObject({ code: BudgetRefusalCode.REDUCING });

    const drawdown = new LocalRiskBudget({ maxDrawdown: new Decimal(50) });
    drawdown.reportPnl(new Decimal(80));
    drawdown.reportPnl(new Decimal(31));
    expect(drawdown.state.tradingState).toBe(TradingState.ACTIVE);
    drawdown.reportPnl(new Decimal(30));
    expect(drawdown.state).toMatchObject({ tradingState: TradingState.REDUCING });
    expect(drawdown.state.accountDayPnl.toString()).toBe('30');
  });

  it('refuses everything once closed', async () => {
    const budget = new LocalRiskBudget();
    await budget.close();
    expect(budget.tryTake('x', { exposure: ZERO, positions: 0, orders: 1 })).toMatchObject({
      code: BudgetRefusalCode.CLOSED,
    });
  });
});

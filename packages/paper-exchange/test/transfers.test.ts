import { ExchangeError } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { bar, order, setup, T0 } from './helpers.js';

describe('deposits and withdrawals (transferFunds)', () => {
  it('move the balance and the equity, not the positions', async () => {
    const { paper } = setup({ fillMarketOrdersAt: 'last-close' });
    await paper.onBar(bar('BTC-USD', T0, '50000', '50000', '50000', '50000'));
    await paper.placeOrder(order({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.1' }));
    const before = await paper.getAccountState();
    expect(paper.transferFunds('2500').toString()).toBe(before.balance.plus(2500).toString());
    expect(paper.transferFunds('-1000').toString()).toBe(before.balance.plus(1500).toString());
    const after = await paper.getAccountState();
    expect(after.equity.minus(before.equity).toString()).toBe('1500');
    expect(paper.getPositions().map((p) => p.quantity.toString())).toEqual(['0.1']);
  });

  it('refuse a withdrawal of more than the free margin, zero, and a malformed amount', async () => {
    const { paper } = setup({ fillMarketOrdersAt: 'last-close' });
    await paper.onBar(bar('BTC-USD', T0, '50000', '50000', '50000', '50000'));
    // 0.5 BTC at 20x leaves 10,000 - 1,250 = 8,750 free (less the taker fee).
    await paper.placeOrder(order({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.5' }));
    const balance = (await paper.getAccountState()).balance;
    expect(() => paper.transferFunds('-9000')).toThrow(ExchangeError);
    try {
      paper.transferFunds('-9000');
    } catch (e) {
      expect((e as ExchangeError).code).toBe('INSUFFICIENT_MARGIN');
    }
    expect(() => paper.transferFunds('0')).toThrow(/zero/);
    expect(() => paper.transferFunds('NaN')).toThrow();
    expect((await paper.getAccountState()).balance.toString()).toBe(balance.toString());
  });
});

import {
  Decimal,
  type HeldPosition,
  type PositionReader,
  PositionSnapshot,
  type PositionSnapshotInput,
} from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { codes, limitBuy, limitSell, long, setup } from './helpers.js';

/** The smallest owner of positions behind the port: it holds them once and says when one changes. */
class PositionOwner implements PositionReader {
  readonly #positions = new Map<string, HeldPosition>();
  readonly #listeners = new Set<(symbol: string, position: HeldPosition | undefined) => void>();

  set(input: PositionSnapshotInput): void {
    const snapshot = PositionSnapshot.parse(input);
    const held: HeldPosition = {
      symbol: snapshot.symbol,
      side: snapshot.side,
      quantity: snapshot.quantity,
      entryPrice: snapshot.entryPrice,
      toPosition: () => snapshot,
    };
    this.#positions.set(snapshot.symbol, held);
    for (const l of this.#listeners) l(snapshot.symbol, held);
  }

  /** Hands risk whatever it is given, to show risk checks what it indexes. */
  setRaw(held: HeldPosition): void {
    this.#positions.set(held.symbol, held);
    for (const l of this.#listeners) l(held.symbol, held);
  }

  flat(symbol: string): void {
    this.#positions.delete(symbol);
    for (const l of this.#listeners) l(symbol, undefined);
  }

  getPosition(symbol: string): HeldPosition | undefined {
    return this.#positions.get(symbol);
  }

  getAllPositions(): HeldPosition[] {
    return [...this.#positions.values()];
  }

  onPositionChange(listener: (symbol: string, position: HeldPosition | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

describe('a risk manager that follows the owner of positions (followPositions)', () => {
  it('indexes what the owner holds now, replacing positions handed in before, and follows each change', async () => {
    const { risk } = setup({ maxPositions: 2 });
    risk.updatePosition(long('SOL-USD', '1', '100')); // handed in before: the owner has no SOL
    const owner = new PositionOwner();
    owner.set(long('BTC-USD', '0.1', '50000'));
    risk.followPositions(owner);
    expect(risk.positions().map((p) => p.symbol)).toEqual(['BTC-USD']);
    expect(risk.state.exposure.toString()).toBe('5000');

    owner.set(long('ETH-USD', '1', '3000'));
    risk.updateMarketPrice('ETH-USD', '3000');
    expect(risk.state.openPositions).toBe(2);
    // The owner's second position fills the last slot: a third symbol is refused without anything pushed.
    risk.updateMarketPrice('SOL-USD', '100');
    const third = await risk.checkOrder(limitBuy('1', '100', 'SOL-USD'));
    expect(codes(third)).toContain('MAX_POSITIONS_EXCEEDED');

    owner.flat('ETH-USD');
    expect(risk.state.openPositions).toBe(1);
    expect((await risk.checkOrder(limitBuy('1', '100', 'SOL-USD'))).approved).toBe(true);
    // A sell of what the owner holds is reducing: the index holds the owner's size.
    const sell = await risk.checkOrder(limitSell('0.1'));
    expect(sell.approved).toBe(true);
    expect(sell.reservation?.opening).toBe(false);
  });

  it('has no second writer: pushing positions is refused while it follows an owner', async () => {
    const { risk } = setup();
    const owner = new PositionOwner();
    risk.followPositions(owner);
    risk.followPositions(owner); // the same owner again: nothing changes
    expect(() => risk.updatePosition(long('BTC-USD', '1', '50000'))).toThrow(/read from the tracker/);
    expect(() => risk.removePosition('BTC-USD')).toThrow(/read from the tracker/);
    expect(() => risk.followPositions(new PositionOwner())).toThrow(/another tracker/);
    const withList = await risk.checkOrder(limitBuy('0.01'), [long('BTC-USD', '1', '50000')]);
    expect(withList.approved).toBe(false);
    expect(withList.code).toBe('CHECK_FAILED');
    expect(risk.positions()).toEqual([]);
  });

  it('fails closed when the owner hands it a position it cannot index: every order refused, the breaker tripped', async () => {
    const { risk } = setup();
    const owner = new PositionOwner();
    risk.followPositions(owner);
    owner.setRaw({
      symbol: 'BTC-USD',
      side: 'long',
      quantity: new Decimal(0),
      entryPrice: new Decimal(50000),
      toPosition: () => PositionSnapshot.parse(long('BTC-USD', '1', '50000')),
    });
    const result = await risk.checkOrder(limitSell('0.01'));
    expect(result.approved).toBe(false);
    expect(result.code).toBe('CHECK_FAILED');
    await risk.flush();
    expect(risk.state.circuitBreakerTripped).toBe(true);
    expect(risk.state.circuitBreakerReason).toMatch(/position index failed/);
  });
});

import { describe, expect, it } from 'vitest';
import { Fill, isValidated, OrderRequest, parseValidated, validatedOrParse } from '../src/index.js';

const raw = { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '2' };

describe('validate once: outputs of a boundary parse are marked', () => {
  it('a parsed value is taken as it is by the same schema, and is frozen so it stays what was parsed', () => {
    const fill = parseValidated(Fill, raw, 'fill');
    expect(isValidated(fill, Fill)).toBe(true);
    expect(validatedOrParse(Fill, fill, 'fill')).toBe(fill);
    expect(Object.isFrozen(fill)).toBe(true);
    expect(() => {
      (fill as { quantity: unknown }).quantity = 'not a decimal';
    }).toThrow(TypeError);
  });

  it('an unmarked, hand-made object is fully validated, however well formed', () => {
    const handMade = Fill.parse(raw); // parsed, but not through the boundary: no mark
    expect(isValidated(handMade, Fill)).toBe(false);
    const again = validatedOrParse(Fill, handMade, 'fill');
    expect(again).not.toBe(handMade);
    expect(again).toEqual(handMade);
    const copy = { ...parseValidated(Fill, raw, 'fill') };
    expect(isValidated(copy, Fill)).toBe(false);
    expect(() => validatedOrParse(Fill, { ...copy, quantity: '-1' }, 'fill')).toThrow(/quantity/);
    expect(() => validatedOrParse(Fill, { ...raw, extra: 1 }, 'fill')).toThrow();
  });

  it('a mark holds for its schema only', () => {
    const fill = parseValidated(Fill, raw, 'fill');
    expect(isValidated(fill, OrderRequest)).toBe(false);
    expect(() => validatedOrParse(OrderRequest, fill, 'order')).toThrow();
  });
});

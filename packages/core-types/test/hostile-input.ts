import { Decimal } from '../src/index.js';

/**
 * Objects that are not what they claim, shared by the hostile-input tests of every package through a copy
 * of this list (tests do not import across packages). Each is built fresh, so a test can mutate or revoke it.
 */
export function hostileValues(): Array<[string, unknown]> {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedDecimal = Proxy.revocable(new Decimal('1'), {});
  revokedDecimal.revoke();
  const throwing = {
    toString(): string {
      throw new Error('toString was called');
    },
    valueOf(): number {
      throw new Error('valueOf was called');
    },
  };
  const fakeDecimal = {
    toStringTag: '[object Decimal]',
    isFinite: () => true,
    isZero: () => false,
    gt: () => true,
    toString: () => '1',
    constructor: Decimal,
  };
  const forgedInternals = Object.assign(Object.create(Decimal.prototype), {
    constructor: Decimal,
    s: 1,
    e: 5,
    d: [1, 2, 3],
  });
  const getterBomb = Object.defineProperty({}, 'd', {
    get() {
      throw new Error('getter was called');
    },
  });
  return [
    ['a null-prototype object', Object.create(null)],
    ['an object with a throwing toString', throwing],
    ['a duck-typed fake Decimal', fakeDecimal],
    ['an object on the Decimal prototype with forged digits', forgedInternals],
    ['an object on the Decimal prototype with no digits', Object.create(Decimal.prototype)],
    ['a getter that throws', getterBomb],
    ['a revoked proxy', revoked.proxy],
    ['a revoked proxy of a Decimal', revokedDecimal.proxy],
    ['a symbol', Symbol('x')],
    ['a function', () => 1],
  ];
}

import type { Decimal, Fill, FundingPayment, MarketPrice, OrderUpdate } from '@hl-bot/core-types';

/** A liquidation, reported next to its fill (which also reaches `onFill`, with an orderId starting `liq-`). */
export interface LiquidationEvent {
  fill: Fill;
  /** Account equity and maintenance requirement at the moment of liquidation. */
  equity: Decimal;
  maintenanceMargin: Decimal;
}

type Listener<T> = (value: T) => void;

/**
 * The venue's subscribers. A listener that throws never interrupts the operation: its error goes to
 * `onListenerError`, or is collected and thrown as one AggregateError once the operation is complete.
 */
export class Listeners {
  readonly fill = new Set<Listener<Fill>>();
  readonly update = new Set<Listener<OrderUpdate>>();
  readonly price = new Set<Listener<MarketPrice>>();
  readonly funding = new Set<Listener<FundingPayment>>();
  readonly liquidation = new Set<Listener<LiquidationEvent>>();
  #errors: unknown[] = [];
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(onError: ((error: unknown) => void) | undefined) {
    this.#onError = onError;
  }

  call<T>(listener: Listener<T>, value: T): void {
    try {
      listener(value);
    } catch (error) {
      if (this.#onError === undefined) this.#errors.push(error);
      else this.#onError(error);
    }
  }

  /** @throws {AggregateError} of the errors listeners threw since the last flush. */
  flush(): void {
    if (this.#errors.length === 0) return;
    const errors = this.#errors;
    this.#errors = [];
    throw new AggregateError(
      errors,
      `${errors.length} paper exchange listener(s) threw; the operation itself completed`,
    );
  }
}

export function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  // Wrap so the same function subscribed twice gets two independent subscriptions.
  const entry: Listener<T> = (value) => listener(value);
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

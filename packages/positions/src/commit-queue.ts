import type { AuditEventInput, AuditSink, Decimal } from '@hl-bot/core-types';
import { describeError, PositionAuditError, PositionTrackerHaltedError } from './errors.js';
import { rawFillSymbol } from './fill-step.js';
import type { FundingInput } from './funding-step.js';
import { FillUpdate, type Txn } from './txn.js';

interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set when queued: the symbol counted busy for this operation. */
  busy?: string | undefined;
}

/** One queued operation on the ledger. */
export type Op =
  /** `outcome`: resolve to the whole `FillOutcome`, else to the position alone. */
  | ({ kind: 'fill'; raw: unknown; outcome: boolean } & Settle)
  /** Only records a mark's new MAE/MFE: the mark itself is already visible. */
  | ({ kind: 'excursion'; event: AuditEventInput } & Settle)
  | ({ kind: 'mark'; symbol: string; price: Decimal; time: number } & Settle)
  | ({ kind: 'funding'; funding: FundingInput } & Settle);

/** What the queue needs from the ledger it commits to. */
export interface QueueHost {
  /** A transaction over the committed ledger whose events will be appended. */
  begin(): Txn;
  /** Applies `op` to `txn` and returns what the operation resolves to; throws with `txn` untouched. */
  apply(txn: Txn, op: Op): unknown;
  /** Makes `txn` visible (its events are durable). */
  commit(txn: Txn): void;
  /**
   * After a committed batch settled (`events` appended, `idle`: nothing queued): may write a checkpoint,
   * whose failure halts the queue.
   */
  afterBatch(events: number, idle: boolean): Promise<void> | undefined;
}

const SOURCE = '@hl-bot/positions';

/** The symbol whose visible position an operation will change; marks wait behind it. */
function busyKey(op: Op): string | undefined {
  switch (op.kind) {
    case 'fill':
      return rawFillSymbol(op.raw) ?? '';
    case 'excursion':
      return undefined;
    case 'mark':
      return op.symbol;
    case 'funding':
      return op.funding.symbol;
  }
}

/**
 * The tracker's write path: operations queue, are applied in call order to a scratch copy (a `Txn`), their
 * events are appended (concurrent calls share one group commit), and only when every append resolved does
 * the new state replace the old. A failed append leaves the state unchanged, rejects the batch and halts
 * the queue: every later operation is refused.
 */
export class CommitQueue {
  #queue: Op[] = [];
  /** Symbols with a fill, funding or mark queued or in flight -> how many. */
  readonly #busy = new Map<string, number>();
  #draining = false;
  #halted: PositionAuditError | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(
    private readonly sink: AuditSink,
    private readonly maxBatch: number,
    private readonly host: QueueHost,
  ) {}

  /** The audit failure that halted the queue, if any. */
  get halted(): PositionAuditError | undefined {
    return this.#halted;
  }

  /** True while a batch is queued or in flight. */
  get draining(): boolean {
    return this.#draining;
  }

  /** True when nothing is queued or in flight. */
  get empty(): boolean {
    return !this.#draining && this.#queue.length === 0;
  }

  /** True while a change to `symbol` is queued or being audited. */
  isBusy(symbol: string): boolean {
    return this.#busy.has(symbol);
  }

  haltedError(): PositionTrackerHaltedError {
    return new PositionTrackerHaltedError(
      `position tracker halted after an audit failure (${this.#halted?.message ?? ''}); rebuild it with PositionTracker.recover`,
      { cause: this.#halted },
    );
  }

  /** Resolves when every operation queued so far has settled. */
  idle(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  enqueue(op: Op): void {
    if (this.#halted !== undefined) {
      op.reject(this.haltedError());
      return;
    }
    const key = busyKey(op);
    op.busy = key;
    if (key !== undefined) this.#busy.set(key, (this.#busy.get(key) ?? 0) + 1);
    this.#queue.push(op);
    if (!this.#draining) {
      this.#draining = true;
      // Start on a microtask so a burst of synchronous calls shares one batch and one group commit.
      queueMicrotask(() => {
        void this.#drain();
      });
    }
  }

  async #drain(): Promise<void> {
    const host = this.host;
    try {
      while (this.#queue.length > 0) {
        const ops =
          this.#queue.length <= this.maxBatch ? this.#queue.splice(0) : this.#queue.splice(0, this.maxBatch);
        const txn = host.begin();
        // values[i] is op i's result; errors holds the failed ones (rare), so a success allocates nothing.
        const values: unknown[] = new Array(ops.length);
        let errors: Map<number, unknown> | undefined;
        for (let i = 0; i < ops.length; i += 1) {
          const op = ops[i] as Op;
          try {
            values[i] = host.apply(txn, op);
          } catch (error) {
            const { message, code } = describeError(error);
            txn.emit({
              type: 'error',
              message,
              source: SOURCE,
              ...(code === undefined ? {} : { code }),
            });
            errors ??= new Map();
            errors.set(i, error);
          }
        }
        const events = txn.events;
        if (events.length > 0) {
          try {
            const sink = this.sink;
            const appended: Array<Promise<unknown>> = [];
            for (const event of events) {
              if (event === undefined) continue;
              appended.push(sink.append(event instanceof FillUpdate ? event.toEvent() : event));
            }
            await Promise.all(appended);
          } catch (error) {
            this.#halt(error, ops);
            return;
          }
        }
        host.commit(txn);
        for (let i = 0; i < ops.length; i += 1) {
          const op = ops[i] as Op;
          this.#settled(op);
          if (errors?.has(i)) op.reject(errors.get(i));
          else op.resolve(values[i]);
        }
        const after = host.afterBatch(events.length, this.#queue.length === 0);
        if (after !== undefined) {
          try {
            await after;
          } catch (error) {
            this.#halt(error, []);
            return;
          }
        }
      }
    } finally {
      if (this.#queue.length === 0 || this.#halted !== undefined) {
        this.#draining = false;
        for (const w of this.#idleWaiters.splice(0)) w();
      }
    }
  }

  #settled(op: Op): void {
    const key = op.busy;
    if (key === undefined) return;
    const n = (this.#busy.get(key) ?? 1) - 1;
    if (n <= 0) this.#busy.delete(key);
    else this.#busy.set(key, n);
  }

  #halt(cause: unknown, ops: Op[]): void {
    const { message } = describeError(cause);
    this.#halted = new PositionAuditError(`audit append failed, nothing applied: ${message}`, { cause });
    for (const op of ops) {
      this.#settled(op);
      op.reject(this.#halted);
    }
    for (const op of this.#queue.splice(0)) {
      this.#settled(op);
      op.reject(this.haltedError());
    }
  }
}

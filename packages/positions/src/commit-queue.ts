import type { AuditEventInput, AuditSink, Decimal } from '@hl-bot/core-types';
import { describeError, PositionAuditError, PositionTrackerHaltedError } from './errors.js';
import { rawFillSymbol } from './fill-step.js';
import type { FundingInput } from './funding-step.js';
import { FillUpdate, type Txn } from './txn.js';

interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once counted (see `CommitQueue.isBusy`): the symbol counted busy for this operation. */
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
 *
 * The loop is synchronous until it has something to wait for (an append, a checkpoint): a batch without
 * events (a sink that keeps nothing, a replay) commits and settles in the microtask that started it, with
 * no promise of its own. Which symbols have a change queued or in flight (`isBusy`, for marks) is counted
 * only once a mark asks during a drain: a caller that only sends fills never pays for the count.
 */
export class CommitQueue {
  #queue: Op[] = [];
  /** The array of the last settled batch, emptied: the next queue (one array per batch, not per call). */
  #spare: Op[] | undefined;
  /** The batch being applied and appended, until its operations settle. */
  #inFlight: Op[] | undefined;
  /**
   * Symbols with a fill, funding or mark queued or in flight -> how many; undefined until `isBusy` is asked
   * during a drain (then built from the batch in flight and the queue, and kept up to date until idle).
   */
  #busy: Map<string, number> | undefined;
  #draining = false;
  #halted: PositionAuditError | undefined;
  #idleWaiters: Array<() => void> | undefined;
  /** Starts a drain (one function for every kick: a burst of calls allocates no closure per call). */
  readonly #kick = (): void => {
    this.#run();
  };

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
    // Not draining: nothing is queued or in flight.
    if (!this.#draining) return false;
    let busy = this.#busy;
    if (busy === undefined) {
      busy = new Map();
      this.#busy = busy;
      const inFlight = this.#inFlight;
      if (inFlight !== undefined) for (const op of inFlight) this.#count(busy, op);
      for (const op of this.#queue) this.#count(busy, op);
    }
    return busy.has(symbol);
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
    return new Promise((resolve) => {
      if (this.#idleWaiters === undefined) this.#idleWaiters = [resolve];
      else this.#idleWaiters.push(resolve);
    });
  }

  enqueue(op: Op): void {
    if (this.#halted !== undefined) {
      op.reject(this.haltedError());
      return;
    }
    const busy = this.#busy;
    if (busy !== undefined) this.#count(busy, op);
    this.#queue.push(op);
    if (!this.#draining) {
      this.#draining = true;
      // Start on a microtask so a burst of synchronous calls shares one batch and one group commit.
      queueMicrotask(this.#kick);
    }
  }

  /** Counts `op` as busy on its symbol, remembering the key it counted (a hostile getter may change). */
  #count(busy: Map<string, number>, op: Op): void {
    const key = busyKey(op);
    op.busy = key;
    if (key !== undefined) busy.set(key, (busy.get(key) ?? 0) + 1);
  }

  /**
   * Applies, appends and commits batches until the queue is empty (then idle), the tracker halts, or an
   * append or checkpoint is pending (its settlement runs the loop on).
   */
  #run(): void {
    const host = this.host;
    while (this.#queue.length > 0) {
      const queued = this.#queue;
      let ops: Op[];
      if (queued.length <= this.maxBatch) {
        ops = queued;
        this.#queue = this.#spare ?? [];
        this.#spare = undefined;
      } else {
        ops = queued.splice(0, this.maxBatch);
      }
      this.#inFlight = ops;
      const txn = host.begin();
      // Each op's result, or its error (rare): `values[i]`, or `value` alone for a batch of one (a caller
      // awaiting each call), so a success allocates nothing.
      const n = ops.length;
      const values: unknown[] | undefined = n > 1 ? new Array(n) : undefined;
      let value: unknown;
      let errors: Map<number, unknown> | undefined;
      for (let i = 0; i < n; i += 1) {
        const op = ops[i] as Op;
        try {
          const result = host.apply(txn, op);
          if (values === undefined) value = result;
          else values[i] = result;
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
        let appended: Promise<unknown>;
        try {
          appended = this.#append(events);
        } catch (error) {
          this.#halt(error, ops);
          return;
        }
        appended.then(
          () => {
            if (this.#settle(txn, ops, values, value, errors, events.length)) this.#run();
          },
          (error: unknown) => {
            this.#halt(error, ops);
          },
        );
        return;
      }
      if (!this.#settle(txn, ops, values, value, errors, 0)) return;
    }
    this.#end();
  }

  /** Appends a batch's events; resolves when every append did (one promise for one event). */
  #append(events: ReadonlyArray<AuditEventInput | FillUpdate | undefined>): Promise<unknown> {
    const sink = this.sink;
    let one: Promise<unknown> | undefined;
    let all: Array<Promise<unknown>> | undefined;
    for (const event of events) {
      if (event === undefined) continue;
      const p = sink.append(event instanceof FillUpdate ? event.toEvent() : event);
      if (one === undefined) one = p;
      else if (all === undefined) all = [one, p];
      else all.push(p);
    }
    if (all !== undefined) return Promise.all(all);
    return one ?? Promise.resolve();
  }

  /**
   * Commits a batch whose events are durable and settles its operations, then lets the host write a
   * checkpoint. True to go on with the next batch now; false when a checkpoint is pending (its settlement
   * goes on) or it failed (halted).
   */
  #settle(
    txn: Txn,
    ops: Op[],
    values: unknown[] | undefined,
    value: unknown,
    errors: Map<number, unknown> | undefined,
    events: number,
  ): boolean {
    this.host.commit(txn);
    this.#inFlight = undefined;
    const busy = this.#busy;
    for (let i = 0; i < ops.length; i += 1) {
      const op = ops[i] as Op;
      if (busy !== undefined) this.#uncount(busy, op);
      if (errors?.has(i)) op.reject(errors.get(i));
      else op.resolve(values === undefined ? value : values[i]);
    }
    ops.length = 0;
    this.#spare = ops;
    const after = this.host.afterBatch(events, this.#queue.length === 0);
    if (after === undefined) return true;
    after.then(
      () => {
        this.#run();
      },
      (error: unknown) => {
        this.#halt(error, []);
      },
    );
    return false;
  }

  /** Nothing left to do (queue empty, or halted): idle. */
  #end(): void {
    this.#draining = false;
    this.#busy = undefined;
    const waiters = this.#idleWaiters;
    if (waiters !== undefined) {
      this.#idleWaiters = undefined;
      for (const w of waiters) w();
    }
  }

  #uncount(busy: Map<string, number>, op: Op): void {
    const key = op.busy;
    if (key === undefined) return;
    op.busy = undefined;
    const n = (busy.get(key) ?? 1) - 1;
    if (n <= 0) busy.delete(key);
    else busy.set(key, n);
  }

  #halt(cause: unknown, ops: Op[]): void {
    const { message } = describeError(cause);
    this.#halted = new PositionAuditError(`audit append failed, nothing applied: ${message}`, { cause });
    this.#inFlight = undefined;
    for (const op of ops) op.reject(this.#halted);
    for (const op of this.#queue.splice(0)) op.reject(this.haltedError());
    this.#end();
  }
}

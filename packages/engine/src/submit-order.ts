import {
  type Exchange,
  ExchangeError,
  OrderRequest,
  type OrderRequestInput,
  parseValidated,
} from '@hl-bot/core-types';
import type { RiskCheckResult } from '@hl-bot/risk';
import { type EngineCore, safeAppend } from './engine-core.js';
import { errorCode, errorMessage } from './error-text.js';
import { EngineErrorCode } from './errors.js';
import { checkHalt, pipelineFailed } from './halt.js';
import { accept, ackStatus, finish } from './order-settlement.js';
import { failed, rejected } from './results.js';
import type { SubmitResult } from './submit-result.js';
import type { WorkingOrder } from './working-orders.js';

function refusal(core: EngineCore): { code: string; reason: string } | undefined {
  if (!core.running) return { code: EngineErrorCode.NOT_RUNNING, reason: 'the engine is not running' };
  if (core.pipelineFailure !== undefined) {
    return {
      code: EngineErrorCode.PIPELINE_FAILED,
      reason: `the engine halted after a pipeline failure: ${errorMessage(core.pipelineFailure)}`,
    };
  }
  return undefined;
}

/**
 * Risk check, then the exchange. Resolves with what happened; never throws for a refused order.
 * An order is audited as `order_submitted` before it is sent, so a crash can never hide a sent order.
 * From the moment it is sent it counts in risk as working until its fate is known: an error other than
 * the venue's definite refusal (an ExchangeError) leaves it counting, and `resolveUnknownOrders` or the
 * venue's own reports (a fill, an order update) settle it later.
 */
export async function submitOrder(core: EngineCore, input: OrderRequestInput): Promise<SubmitResult> {
  const { risk, exchange } = core;
  const now = core.clock.now();
  const refused = refusal(core);
  if (refused !== undefined) return rejected(core, input, refused.code, refused.reason, now);

  const clientOrderId = input.clientOrderId ?? core.newClientOrderId();
  const request = { ...input, clientOrderId };
  // Parsed once here: risk checks the marked order as it is, and the same object is audited and sent. An
  // order that does not parse goes to risk as it came, which refuses and audits it.
  let valid: OrderRequest | undefined;
  try {
    valid = parseValidated(OrderRequest, request, 'order');
  } catch {
    valid = undefined;
  }
  let check: RiskCheckResult;
  try {
    check = await risk.checkOrder(valid ?? request);
  } catch (error) {
    // checkOrder must never throw; if it does, nothing is sent.
    return rejected(core, input, 'CHECK_FAILED', `risk check threw: ${errorMessage(error)}`, now);
  }
  if (!check.approved) {
    const code = check.code ?? 'RISK_REJECTED';
    return rejected(core, input, code, check.reason, now, check.failures);
  }
  const reservationId = check.reservation?.id ?? clientOrderId;
  const order = valid ?? OrderRequest.parse(request);
  if (check.reservation?.opening === true) {
    // A shared budget must count the order as possibly live before it can be: a bot killed after the send
    // then leaves nothing the other bots do not see. (The in-process budget resolves at once.)
    try {
      await risk.budget.flush();
    } catch (error) {
      risk.releaseReservation(reservationId, 'rejected');
      return rejected(
        core,
        input,
        'SHARED_BUDGET_UNAVAILABLE',
        `order not sent: the shared risk budget did not record it: ${errorMessage(error)}`,
        now,
      );
    }
  }

  try {
    await core.audit.append({
      type: 'order_submitted',
      orderId: clientOrderId,
      order,
      venue: exchange.name,
    });
  } catch (error) {
    risk.releaseReservation(reservationId, 'rejected');
    return failed(
      core,
      order,
      clientOrderId,
      'AUDIT_FAILED',
      `order not sent: ${errorMessage(error)}`,
      error,
    );
  }

  const w: WorkingOrder = {
    clientOrderId,
    venueOrderId: undefined,
    order,
    createdAt: now,
    accepted: false,
    sending: true,
  };
  // Known before it is sent: a fill or an update can arrive before the acknowledgement does.
  core.orders.add(w);
  risk.releaseReservation(reservationId, 'submitted');

  let ack: Awaited<ReturnType<Exchange['placeOrder']>>;
  // An opening order counts on the shared budget through this bot's lease: it must not reach the venue after
  // the lease could be found dead (and what it held freed by another bot that saw no order on the book).
  const notAfter = check.reservation?.opening === true ? risk.budget.takesValidUntil : undefined;
  const sentAt = performance.now();
  try {
    ack = await exchange.placeOrder(order, {
      clientOrderId,
      ...(notAfter === undefined ? {} : { notAfter }),
    });
  } catch (error) {
    w.sending = false;
    const latencyMs = performance.now() - sentAt;
    const code = errorCode(error);
    const reason = errorMessage(error);
    await risk.recordError(error).catch((e: unknown) => pipelineFailed(core, e));
    const seenLive = w.accepted || core.orders.filled(w).gt(0);
    if (error instanceof ExchangeError && !seenLive) {
      if (core.orders.isCurrent(w)) core.orders.forget(w);
      risk.releaseReservation(clientOrderId, 'rejected');
      await safeAppend(core, { type: 'order_rejected', orderId: clientOrderId, order, reason, code });
      await checkHalt(core);
      return failed(core, order, clientOrderId, code, reason, error, latencyMs);
    }
    // The order may be live: it keeps its hold, and counts as working, until its fate is known.
    if (seenLive && w.venueOrderId !== undefined) await accept(core, w, w.venueOrderId);
    core.stats.unknown += 1;
    await checkHalt(core);
    return failed(core, order, clientOrderId, code, reason, error, latencyMs, true);
  }
  w.sending = false;
  const latencyMs = performance.now() - sentAt;
  // Appended now, so its seq follows order_submitted and precedes whatever comes next, and durable with the
  // next group commit; not awaited: the order is live whatever the log says, a crash could lose this line
  // just as well a moment after the ack (the start-up reconciliation covers both), and waiting for its
  // fdatasync doubled the audited order's latency. A failed write still fails the pipeline (safeAppend).
  void accept(core, w, ack.orderId, ackStatus(ack.status));
  if (ack.status === 'cancelled' || ack.status === 'rejected' || ack.status === 'filled') {
    // Done at once (an IOC, a fill on arrival): whatever filled arrives as fills; the rest is free now.
    if (core.orders.isCurrent(w)) finish(core, w, ack.filledQuantity);
  }
  await risk.recordSuccess().catch((e: unknown) => pipelineFailed(core, e));
  core.stats.submitted += 1;
  const result = { status: 'submitted', order, clientOrderId, ack, latencyMs } as const;
  core.observer.onSubmitted?.(result);
  return result;
}

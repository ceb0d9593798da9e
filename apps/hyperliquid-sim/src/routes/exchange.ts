import {
  ExchangeRequestSchema,
  type L1Action,
  type OrderWire,
  recoverL1ActionSigner,
  type Signature,
} from '@hl-bot/exchange-hyperliquid/wire';
import type { SimAccount, WireOrderStatus } from '../account.js';
import { err, ok, type Reply, unprocessable } from '../http-reply.js';
import type { SimState } from '../sim-state.js';
import type { WsHub } from '../ws-hub.js';
import { prevalidate, validateOrder } from './order-checks.js';

/**
 * `POST /exchange`: signature recovery, the signer's master, expiry and nonce, then the action itself
 * (orders, TP/SL groups, cancels, modifies, leverage, scheduled cancel). Owns the TP/SL children that wait
 * for their entry to fill.
 */
export class ExchangeRoute {
  readonly #state: SimState;
  readonly #hub: WsHub;
  readonly #isMainnet: boolean;
  /** Children of normalTpsl groups whose entry is still resting. */
  readonly #tpslWaiting: Array<{ account: SimAccount; entryOid: number; children: readonly OrderWire[] }> =
    [];

  constructor(options: { state: SimState; hub: WsHub; isMainnet: boolean }) {
    this.#state = options.state;
    this.#hub = options.hub;
    this.#isMainnet = options.isMainnet;
  }

  async #placeAll(account: SimAccount, orders: readonly OrderWire[]): Promise<WireOrderStatus[]> {
    const statuses: WireOrderStatus[] = [];
    for (const wire of orders)
      statuses.push(validateOrder(this.#state, wire, account) ?? (await account.place(wire)));
    return statuses;
  }

  /**
   * `normalTpsl`: the first order is the entry, the rest its reduce-only TP/SL children. Like the venue,
   * the children wait (`waitingForFill`) until the entry has filled, then go live as triggers; they are
   * dropped when the entry ends without filling.
   */
  async #placeTpslGroup(
    account: SimAccount,
    orders: readonly OrderWire[],
  ): Promise<Array<WireOrderStatus | 'waitingForFill' | 'waitingForTrigger'>> {
    const [entry, ...children] = orders;
    if (entry === undefined) return [];
    if (children.some((c) => !('trigger' in c.t) || !c.r)) {
      return orders.map(() => ({
        error: 'TP/SL orders of a normalTpsl group must be reduce-only triggers.',
      }));
    }
    const first = validateOrder(this.#state, entry, account) ?? (await account.place(entry));
    if ('error' in first) return [first, ...children.map(() => first)];
    if ('resting' in first) {
      this.#tpslWaiting.push({ account, entryOid: first.resting.oid, children });
      return [first, ...children.map(() => 'waitingForFill' as const)];
    }
    const out: Array<WireOrderStatus | 'waitingForFill' | 'waitingForTrigger'> = [first];
    for (const child of children) {
      const placed = validateOrder(this.#state, child, account) ?? (await account.place(child));
      out.push('error' in placed ? placed : 'waitingForTrigger');
    }
    return out;
  }

  /** Places the children of groups whose entry has filled; drops those whose entry ended otherwise. */
  async releaseTpsl(): Promise<void> {
    for (let i = this.#tpslWaiting.length - 1; i >= 0; i--) {
      const group = this.#tpslWaiting[i];
      const status = group === undefined ? undefined : group.account.find(group.entryOid)?.status;
      if (group === undefined || status === 'open') continue;
      this.#tpslWaiting.splice(i, 1);
      if (status !== 'filled') continue;
      for (const child of group.children) {
        if (validateOrder(this.#state, child, group.account) === undefined) await group.account.place(child);
      }
    }
  }

  async #modifyOne(account: SimAccount, id: number | string, wire: OrderWire): Promise<WireOrderStatus> {
    const old = account.find(id);
    if (old === undefined || old.status !== 'open')
      return { error: 'Cannot modify canceled or filled order' };
    const bad = validateOrder(this.#state, wire, account, old.cloid);
    if (bad !== undefined) return bad;
    await account.cancel(old, 'canceled');
    return account.place(wire);
  }

  async #act(account: SimAccount, action: L1Action): Promise<Reply> {
    switch (action.type) {
      case 'order': {
        if (action.grouping === 'positionTpsl')
          return err('hl-sim does not model grouping "positionTpsl" (position-wide TP/SL)');
        account.actionsUsed += action.orders.length;
        const refused = prevalidate(this.#state, action.orders);
        if (refused !== undefined) {
          return ok({ status: 'ok', response: { type: 'order', data: { statuses: [{ error: refused }] } } });
        }
        const statuses =
          action.grouping === 'normalTpsl'
            ? await this.#placeTpslGroup(account, action.orders)
            : await this.#placeAll(account, action.orders);
        return ok({ status: 'ok', response: { type: 'order', data: { statuses } } });
      }
      case 'cancel':
      case 'cancelByCloid': {
        account.actionsUsed += 1;
        const statuses: Array<'success' | { error: string }> = [];
        const list =
          action.type === 'cancel'
            ? action.cancels.map((c) => ({ asset: c.a, id: c.o as number | string }))
            : action.cancels.map((c) => ({ asset: c.asset, id: c.cloid as number | string }));
        for (const c of list) {
          const record = account.find(c.id);
          const done = record !== undefined && record.asset === c.asset && (await account.cancel(record));
          statuses.push(
            done
              ? 'success'
              : { error: `Order was never placed, already canceled, or filled. asset=${c.asset}` },
          );
        }
        return ok({ status: 'ok', response: { type: 'cancel', data: { statuses } } });
      }
      case 'modify': {
        account.actionsUsed += 1;
        const result = await this.#modifyOne(account, action.oid, action.order);
        if ('error' in result) return err(result.error);
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'batchModify': {
        account.actionsUsed += action.modifies.length;
        const statuses: WireOrderStatus[] = [];
        for (const m of action.modifies) statuses.push(await this.#modifyOne(account, m.oid, m.order));
        return ok({ status: 'ok', response: { type: 'order', data: { statuses } } });
      }
      case 'updateLeverage': {
        account.actionsUsed += 1;
        const coin = this.#state.coinByAsset(action.asset);
        if (coin === undefined) return err(`Invalid asset ${action.asset}`);
        // The venue's rule: no cross margin on an isolated-only asset. hl-sim's own limit: isolated margin only
        // where the venue demands it (margined as cross otherwise; the position reports isolated).
        if (action.isCross && coin.isolatedOnly) return err(`Cross margin is not allowed for ${coin.coin}.`);
        if (!action.isCross && !coin.isolatedOnly) return err('hl-sim supports cross margin only');
        try {
          await account.paper.setLeverage(`${coin.coin}-USD`, action.leverage);
        } catch (error) {
          return err(error instanceof Error ? error.message : String(error));
        }
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'scheduleCancel': {
        account.actionsUsed += 1;
        if (action.time === undefined) {
          account.scheduledCancel = undefined;
        } else {
          if (action.time < this.#state.now() + 5000) {
            return err('Scheduled cancel time too early, must be at least 5 seconds from now.');
          }
          account.scheduledCancel = action.time;
          const timer = setTimeout(
            () =>
              void this.#state.serial(async () => {
                await this.#state.runScheduledCancels();
                this.#hub.flush();
              }),
            action.time - this.#state.now() + 5,
          );
          timer.unref();
        }
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'noop':
        return ok({ status: 'ok', response: { type: 'default' } });
    }
  }

  /** Answers one `/exchange` request (already serialised with the bars by the caller). */
  async exchange(body: unknown): Promise<Reply> {
    const parsed = ExchangeRequestSchema.safeParse(body);
    if (!parsed.success) {
      return unprocessable(
        parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    }
    const { action, nonce, signature, vaultAddress, expiresAfter } = parsed.data;
    let signer: string;
    try {
      // The parsed action has the canonical key order: the same bytes the venue re-serialises.
      signer = recoverL1ActionSigner({
        action,
        nonce,
        signature: signature as Signature,
        vaultAddress,
        expiresAfter,
        isMainnet: this.#isMainnet,
      });
    } catch {
      return err('Invalid signature');
    }
    const master = this.#state.accounts.has(signer) ? signer : this.#state.agents.get(signer);
    if (master === undefined) return err(`User or API Wallet ${signer} does not exist.`);
    if (vaultAddress != null && vaultAddress !== master) {
      return err(
        `hl-sim does not model vaults or sub-accounts: vaultAddress ${vaultAddress} is not ${master}`,
      );
    }
    const account = this.#state.accounts.get(master);
    if (account === undefined) return err(`User or API Wallet ${signer} does not exist.`);
    const t = this.#state.now();
    if (expiresAfter != null && expiresAfter < t) {
      return err(`Action expired: expiresAfter ${expiresAfter} is before server time ${t}`);
    }
    const nonceProblem = this.#state.nonces.check(signer, nonce, t);
    if (nonceProblem !== undefined) return err(nonceProblem);
    const reply = await this.#act(account, action);
    await this.releaseTpsl();
    this.#hub.flush();
    return reply;
  }
}

import { type DecimalInput, toDecimal } from '@hl-bot/core-types';
import { setAssetCtx } from '../asset-ctx.js';
import type { BarClock, ExplicitBar } from '../bar-clock.js';
import type { FaultGate, SimFaults } from '../faults.js';
import { ok, type Reply } from '../http-reply.js';
import type { MarketFeed } from '../market.js';
import type { SimState } from '../sim-state.js';
import type { WsHub } from '../ws-hub.js';

/**
 * `/sim/*`: the operator's and the tests' controls (state, step, explicit bar, accounts and agents,
 * the venue's mark and oracle prices, faults). A refused control is HTTP 400 with the reason as text.
 */
export async function controlRoute(
  deps: { state: SimState; feed: MarketFeed; gate: FaultGate; clock: BarClock; hub: WsHub },
  method: string,
  path: string,
  body: Record<string, unknown>,
): Promise<Reply> {
  const { state, feed, gate, clock, hub } = deps;
  try {
    if (method === 'GET' && path === '/sim/state') {
      return ok({
        time: state.now(),
        lastBarTime: feed.lastBarTime ?? null,
        exhausted: feed.exhausted,
        coins: state.coins,
        mids: Object.fromEntries(state.mids),
        accounts: [...state.accounts.keys()],
        agents: Object.fromEntries(state.agents),
        faults: gate.faults,
        stats: state.stats,
        lastBarError: state.lastBarError ?? null,
      });
    }
    if (method !== 'POST') return { status: 405, text: 'method not allowed' };
    switch (path) {
      case '/sim/step':
        await clock.step(body.n === undefined ? 1 : Number(body.n));
        return ok({ mids: Object.fromEntries(state.mids), lastBarTime: feed.lastBarTime ?? null });
      case '/sim/bar':
        // Unchecked as before: the feed validates every field of an explicit bar.
        await clock.pushBar(body as unknown as ExplicitBar);
        return ok({ mids: Object.fromEntries(state.mids), lastBarTime: feed.lastBarTime ?? null });
      case '/sim/accounts':
        if (typeof body.agent === 'string') state.approveAgent(body.agent, String(body.master));
        else state.addAccount(String(body.address), (body.balance as DecimalInput | undefined) ?? '100000');
        return ok({ accounts: [...state.accounts.keys()], agents: Object.fromEntries(state.agents) });
      case '/sim/asset-ctx': {
        const { coin, ...ctx } = body as { coin?: unknown; markPx?: string; oraclePx?: string };
        setAssetCtx(state, String(coin), ctx);
        hub.publishAssetCtxs();
        return ok({ coin, ctx: state.assetCtxOverrides.get(String(coin)) ?? null });
      }
      case '/sim/ledger': {
        // A deposit or withdrawal of USDC for one account, streamed as the venue's ledger update.
        const account = state.accounts.get(String(body.user).toLowerCase());
        if (account === undefined) return { status: 400, text: `unknown account ${String(body.user)}` };
        if (body.type !== 'deposit' && body.type !== 'withdraw') {
          return { status: 400, text: 'type: expected deposit or withdraw' };
        }
        if (body.stream !== undefined && typeof body.stream !== 'boolean') {
          return { status: 400, text: 'stream: expected a boolean' };
        }
        const update = account.transfer(body.type, toDecimal(body.usdc as DecimalInput, 'usdc'), {
          stream: body.stream !== false,
        });
        hub.flush();
        return ok(update);
      }
      case '/sim/faults':
        gate.set(body as SimFaults);
        return ok({ faults: gate.faults });
      default:
        return { status: 404, text: 'unknown /sim endpoint' };
    }
  } catch (error) {
    return { status: 400, text: error instanceof Error ? error.message : String(error) };
  }
}

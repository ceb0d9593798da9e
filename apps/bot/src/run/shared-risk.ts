import { cloidTagOf } from '@hl-bot/exchange-hyperliquid';
import { PgAuditMirror, PgRiskBudget, RiskBudgetPgError } from '@hl-bot/risk-budget-pg';
import type { SharedRiskSettings } from '../config.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';

/** The caps without absent keys (the budget's options are exact: absent, never undefined). */
function definedOnly<T extends object>(caps: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(caps).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** `text` with the database password (if any) replaced, for logs and the audit log. */
export function redactUrl(text: string, settings: SharedRiskSettings): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(settings.url.reveal()).password);
  } catch {
    // Not a parseable URL: there is nothing to find in the text either.
  }
  const raw = settings.url.reveal();
  let out = text.split(raw).join('postgres://[redacted]');
  if (password.length > 0) out = out.split(password).join('[redacted]');
  return out;
}

/**
 * The account's shared risk budget (`sharedRisk` in the config), opened before recovery so the risk
 * manager is built on it. Resolves even while the database is unreachable: the budget is then fail-closed
 * (no opening orders, exits pass) and reconnects on its own. Undefined without `sharedRisk`.
 */
export async function openSharedBudget(core: BotCore): Promise<PgRiskBudget | undefined> {
  const settings = core.config.sharedRisk;
  if (settings === undefined) return undefined;
  let lastCode: string | undefined;
  const budget = await PgRiskBudget.open({
    url: settings.url.reveal(),
    account: settings.account,
    botId: settings.botId,
    ...(settings.caps === undefined ? {} : { caps: definedOnly(settings.caps) }),
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    onError: (error) => {
      if (error.code === 'RISK_BUDGET_SYMBOL_OWNED' || error.code === 'RISK_BUDGET_TAG_TAKEN') {
        // This bot's claim went with a lease another bot cleared while this one was slow, and another bot
        // took a symbol or the tag meanwhile: two bots would share one net position. Fail closed.
        core.logger.error({ code: error.code, err: error.message }, 'symbol claim lost to another bot');
        // A trip that cannot be audited leaves risk refusing everything anyway (its audit failed); still said.
        core.risk
          .tripCircuitBreaker(`shared account: symbol claim lost (${error.message})`)
          .catch((err: unknown) => core.logger.error({ err: errorText(err) }, 'breaker trip not recorded'));
        return;
      }
      // Every failed round trip reports; the log hears the first of a run of them.
      if (lastCode === error.code) return;
      lastCode = error.code;
      core.logger.warn(
        { code: error.code, err: redactUrl(error.message, settings) },
        'shared risk budget unreachable: no opening orders until it is back',
      );
    },
  });
  budget.onChange((state) => {
    if (state.available) lastCode = undefined;
  });
  core.logger.info(
    { account: settings.account, botId: settings.botId, available: budget.state.available },
    'shared risk budget opened',
  );
  return budget;
}

/**
 * Follows the bot's audit log into the shared database's mirror table (`sharedRisk.mirrorAudit`, on by
 * default): from the first line the table lacks, then each line as it is written. Never blocks or fails the
 * bot: while the database is unreachable the day files wait, and the mirror catches up when it is back.
 */
export function followAuditLog(core: BotCore): { stop(): Promise<void> } | undefined {
  const settings = core.config.sharedRisk;
  if (settings === undefined || settings.mirrorAudit === false) return undefined;
  let lastMessage: string | undefined;
  const mirror = new PgAuditMirror({
    url: settings.url.reveal(),
    account: settings.account,
    botId: settings.botId,
    // Not the budget's timeoutMs: that one bounds a round trip an order waits on; the copy waits on nothing,
    // and a tight bound would only make a loaded database time out every batch of it.
    onError: (error) => {
      const message = redactUrl(error.message, settings);
      if (message === lastMessage) return;
      lastMessage = message;
      core.logger.warn(
        { code: error.code, err: message },
        'audit mirror: could not copy to the database; retrying',
      );
    },
  });
  const follow = mirror.follow(core.auditDir);
  return {
    stop: async () => {
      await follow.stop();
      await mirror.close().catch(() => undefined);
    },
  };
}

/**
 * Registers this bot's symbols (and those it still holds a position in) on its venue account in the shared
 * budget, and audits what it shares the account with. Refuses (throws, the bot does not start) when
 * another bot of the venue account trades one of them. While the database cannot be reached it waits and
 * tries again (nothing trades meanwhile: without the registry no bot could tell its orders from
 * another's); a stop ends the wait.
 */
export async function claimSymbols(core: BotCore): Promise<void> {
  const { share, budget, client, tracker, audit, config, logger } = core;
  if (share === undefined || budget === undefined || config.sharedRisk === undefined) return;
  const account = client.account;
  if (account === undefined) throw new Error('no venue account to register the symbols on');
  const held = tracker.getAllPositions().map((p) => p.symbol);
  for (let attempt = 0; ; attempt++) {
    try {
      await share.claim(budget, account, held);
      break;
    } catch (error) {
      // A refusal (RISK_BUDGET_SYMBOL_OWNED names the other bot) propagates as it is: typed, no secret in it.
      if (!(error instanceof RiskBudgetPgError) || error.code !== 'RISK_BUDGET_UNAVAILABLE' || core.stopping)
        throw error;
      if (attempt === 0)
        logger.warn(
          { err: redactUrl(error.message, config.sharedRisk) },
          'cannot register the symbols in the shared budget yet: waiting for the database',
        );
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
  const peers = share.peers.map(
    (p) => `${p.botId} (${p.symbols.join(', ') || 'no symbols'}${p.live ? '' : ', dead'})`,
  );
  await audit.append({
    type: 'note',
    message: `venue account ${account}: this bot (${share.botId}, cloid tag ${share.cloidTag}) trades ${[...share.symbols].join(', ')}; other bots registered there: ${peers.join('; ') || 'none'}`,
  });
  logger.info(
    { account, cloidTag: share.cloidTag, peers: share.peers.length },
    'symbols registered on the venue account',
  );
}

/**
 * Drops the leases of dead bots (expired, not renewed) whose reservations can no longer matter, once the
 * venue has been read: a lease still counts what its bot had live and held until then. Only a dead bot
 * whose id names its venue account (`0x…/…`, the default when a bot names none is host based and never
 * cleared here) is looked up, and its lease is dropped only when that account lists no open order and
 * the lease holds no position. Everything else keeps counting (fail closed). Returns the ids dropped.
 */
export async function clearDeadLeases(
  core: BotCore,
  budget: PgRiskBudget,
  openOrdersOf: (account: string) => Promise<readonly { cloid?: string | null | undefined }[]>,
): Promise<string[]> {
  const cleared: string[] = [];
  for (const dead of await budget.deadLeases()) {
    const account = dead.venueAccount ?? /^(0x[0-9a-fA-F]{40})\//.exec(dead.botId)?.[1];
    if (account === undefined || dead.usedPositions > 0) continue;
    // A bot registered on its venue account is known by its cloid tag: only its own orders there keep
    // its lease (other bots trade the account too). Without a tag, any order of the account does.
    const tag = dead.cloidTag;
    const open = (await openOrdersOf(account)).filter(
      (o) => tag === undefined || cloidTagOf(o.cloid) === tag,
    );
    if (open.length > 0) continue;
    if (await budget.clearDeadLease(dead.botId)) {
      cleared.push(dead.botId);
      await core.audit.append({
        type: 'note',
        message: `shared risk budget: cleared the lease of dead bot ${dead.botId} (${dead.liveOrders} orders it counted as live, none open on ${account})`,
      });
    }
  }
  return cleared;
}

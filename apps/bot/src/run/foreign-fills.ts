import type { Fill } from '@hl-bot/core-types';
import { refreshPeers } from './account-share.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';
import { redactUrl } from './shared-risk.js';

/**
 * The bot whose order it was; the registry is re-read (retried: bots start together and the database is
 * busy then) for a tag or symbol it does not know yet, a newer bot's.
 */
async function ownerOf(
  core: BotCore,
  cloid: string | undefined,
  symbol: string,
): Promise<string | undefined> {
  const { share, budget } = core;
  if (share === undefined) return undefined;
  let who = share.attribute({ cloid, symbol });
  if (who.kind !== 'peer' && cloid !== undefined && budget !== undefined) {
    const { logger, config } = core;
    await refreshPeers(share, budget, {
      onFailure: (error, attempt) => {
        const err =
          config.sharedRisk === undefined ? errorText(error) : redactUrl(errorText(error), config.sharedRisk);
        logger.warn({ err, attempt, symbol }, 'other bots of the account not re-read for a foreign fill');
      },
    });
    who = share.attribute({ cloid, symbol });
  }
  return who.kind === 'peer' ? who.botId : undefined;
}

/**
 * What the bot does with a fill of its venue account that is not its own (`orderScope`): it books nothing
 * (the bot whose order it was books it), counts it (`hl_bot_foreign_fills_total` by owner) and audits it
 * once as `foreign_fill`, so a fill of the account never goes unseen. `seen` holds the fills an earlier run
 * already audited (the backfill after a restart delivers them again).
 */
export function foreignFillRecorder(core: BotCore, seen: ReadonlySet<string>): (fill: Fill) => void {
  const audited = new Set(seen);
  let queue: Promise<void> = Promise.resolve();
  return (fill) => {
    if (audited.has(fill.id)) return;
    audited.add(fill.id);
    const cloid =
      fill.clientOrderId !== undefined && /^0x[0-9a-f]{32}$/.test(fill.clientOrderId)
        ? fill.clientOrderId
        : undefined;
    // In the venue's order, one after another: the log keeps them as they came.
    queue = queue.then(async () => {
      const owner = await ownerOf(core, cloid, fill.symbol);
      core.metrics.inc(
        'hl_bot_foreign_fills_total',
        'Fills of the account that are another bot’s or nobody’s, not booked here',
        { owner: owner ?? 'none' },
      );
      try {
        await core.audit.append({
          type: 'foreign_fill',
          fillId: fill.id,
          symbol: fill.symbol,
          side: fill.side,
          quantity: fill.quantity,
          price: fill.price,
          venueOrderId: fill.orderId,
          ...(cloid === undefined ? {} : { cloid }),
          ...(owner === undefined ? {} : { owner }),
          time: fill.timestamp ?? core.clock.now(),
        });
      } catch (error) {
        core.logger.error({ err: errorText(error), fillId: fill.id }, 'could not audit a foreign fill');
      }
    });
  };
}

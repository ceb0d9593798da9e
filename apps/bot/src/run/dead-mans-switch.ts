import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';

/** Keeps a venue `scheduleCancel` `aheadMs` in the future, so every order is cancelled if the bot goes silent. */
export class DeadMansSwitch {
  private refused = false;

  constructor(private readonly core: BotCore) {}

  async refresh(): Promise<void> {
    if (this.refused) return;
    const { client, clock, config, logger } = this.core;
    try {
      await client.scheduleCancel(clock.now() + config.deadMansSwitch.aheadMs);
    } catch (error) {
      // Accounts under the venue's volume threshold cannot use scheduleCancel: warn once and carry on.
      this.refused = true;
      logger.warn({ err: errorText(error) }, "dead man's switch refused by the venue; continuing without it");
    }
  }
}

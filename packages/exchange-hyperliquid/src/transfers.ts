import type { DecimalInput } from '@hl-bot/core-types';
import { requireSigner } from './exchange-actions.js';
import { toWireDecimal } from './format.js';
import type { NonceManager } from './nonce.js';
import type { PrivateKeySigner } from './private-key.js';
import { exchangeRequestWeight } from './rate-limit.js';
import type { Reporter } from './reporter.js';
import {
  buildUsdSendAction,
  buildWithdrawAction,
  signUserSignedAction,
  type UserSignedAction,
} from './signing.js';
import type { Transport } from './transport.js';

export interface TransfersDeps {
  transport: Transport;
  nonces: NonceManager;
  reporter: Reporter;
  signer: PrivateKeySigner | undefined;
  isMainnet: boolean;
}

/**
 * Money leaving the account (USDC sends and withdrawals): user-signed actions, which only the account's own
 * key may sign. Each is audited as a note before it is sent, so a move is on record even when the answer is
 * lost.
 */
export class Transfers {
  readonly #d: TransfersDeps;

  constructor(deps: TransfersDeps) {
    this.#d = deps;
  }

  usdSend(destination: string, amount: DecimalInput): Promise<void> {
    return this.#move('usdSend', buildUsdSendAction, destination, amount);
  }

  withdraw(destination: string, amount: DecimalInput): Promise<void> {
    return this.#move('withdraw', buildWithdrawAction, destination, amount);
  }

  async #move(
    kind: 'usdSend' | 'withdraw',
    build: typeof buildUsdSendAction | typeof buildWithdrawAction,
    destination: string,
    amount: DecimalInput,
  ): Promise<void> {
    const nonce = this.#d.nonces.next();
    const action = build({
      destination,
      amount: toWireDecimal(amount),
      time: nonce,
      isMainnet: this.#d.isMainnet,
    });
    await this.#d.reporter.record({
      type: 'note',
      message: `${kind} ${action.amount} USDC to ${String(action.destination)}`,
    });
    await this.#send(action, nonce);
  }

  async #send(action: UserSignedAction, nonce: number): Promise<void> {
    const signer = requireSigner(this.#d.signer);
    const signature = signUserSignedAction({ privateKey: signer, action });
    await this.#d.transport.bucket.take(exchangeRequestWeight(1));
    await this.#d.transport.exchange({ action, signature, nonce }, false);
  }
}

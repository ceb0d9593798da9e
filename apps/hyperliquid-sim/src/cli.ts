import { HELP, parseCli } from './cli-options.js';
import { type HyperliquidSimOptions, startHyperliquidSim } from './server.js';

async function main(): Promise<void> {
  let options: HyperliquidSimOptions | 'help';
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`hl-sim: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const sim = await startHyperliquidSim(options);
  process.stdout.write(`${JSON.stringify({ url: sim.url, wsUrl: sim.wsUrl })}\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`hl-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

// The live demo's strategy: a small market order every second bar, alternating buy and sell, so a short demo
// shows real fills, positions and P&L (the built-in strategies need dozens of bars before their first trade).
let bars = 0;
export default {
  name: 'demo',
  async onBar(bar, ctx) {
    bars += 1;
    if (bars % 2 !== 0) return;
    const position = ctx.getPosition(bar.symbol);
    const side = position === undefined || position.side === 'short' ? 'buy' : 'sell';
    await ctx.submitOrder({ symbol: bar.symbol, side, orderType: 'market', quantity: '0.002' });
  },
};

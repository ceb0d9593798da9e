import { afterEach, expect, it, vi } from 'vitest';
import { nullAuditSink, Position, PositionTracker } from '../src/index.js';
import { fill, ledgerView, MemorySink } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('on nullAuditSink the tracker builds no audit events (no snapshot per fill) and books the same ledger', async () => {
  const fills = [
    fill('buy', '1', '100', { fee: '0.1' }),
    fill('buy', '1', '102'),
    fill('sell', '0.5', '105', { closedPnl: '999' }), // a pnl_mismatch a recording sink would get
    fill('sell', '2', '99'), // a flip
    fill('buy', '0.5', '98'), // closes the short
  ];
  const recorded = new PositionTracker(new MemorySink());
  for (const f of fills) await recorded.updateFromFill(f);

  const snapshots = vi.spyOn(Position.prototype, 'toPosition');
  const append = vi.spyOn(nullAuditSink, 'append');
  const silent = new PositionTracker(nullAuditSink);
  for (const f of fills) await silent.updateFromFill(f);
  await expect(silent.updateFromFill({ id: 'bad', symbol: 'BTC-USD' })).rejects.toThrow(/fill/);
  await silent.applyFunding('BTC-USD', '1', 1, 'x').catch(() => undefined); // flat: refused, not recorded
  expect(snapshots).not.toHaveBeenCalled();
  expect(append).not.toHaveBeenCalled();
  expect(ledgerView(silent)).toEqual(ledgerView(recorded));
  expect(silent.getClosedPositions()).toEqual(recorded.getClosedPositions());
});

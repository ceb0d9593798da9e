import { parentPort } from 'node:worker_threads';
import { type RangeTask, verifyRange } from './verify-range.js';

// Runs range checks for verifyAuditLog's worker pool: one message in, one result out.
parentPort?.on('message', (message: { id: number; task: RangeTask }) => {
  verifyRange(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, result }),
    (error: unknown) =>
      parentPort?.postMessage({ id: message.id, error: String((error as Error)?.stack ?? error) }),
  );
});

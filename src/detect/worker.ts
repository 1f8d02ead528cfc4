/**
 * Entry of the analysis worker process, forked by Analyzer (analyzer.ts) from dist/src/detect/worker.js.
 * Only meaningful with an IPC channel; the loop itself is in worker-main.ts. The worker lives until
 * its channel closes: the Analyzer disconnects it when idle, and a daemon that dies closes it too.
 */
import { parseWorkerConfig, type FromWorker, type ToWorker } from './protocol.js';
import { runWorker } from './worker-main.js';

if (process.send) {
  const send = (m: FromWorker): void => {
    if (process.connected) process.send?.(m);
  };
  const loop = runWorker(parseWorkerConfig(process.argv[2]), send);
  process.on('message', (m: ToWorker) => loop.onMessage(m));
  process.once('disconnect', () => {
    void loop.shutdown().finally(() => process.exit(0));
  });
}

import { loadDataPlaneConfig } from './config';
import { startDataPlaneServer } from './server';

const config = loadDataPlaneConfig();
const running = await startDataPlaneServer(config);
console.log(`data plane: ${running.url}/v1 (operator metrics ${running.metricsUrl})`);

// SIGTERM (a supervisor) or SIGINT (Ctrl-C: no load balancer to wait for, so no grace): drain, flush,
// exit 0. A second signal, or a drain that outlives its bound by 10 s (e.g. events held for an
// unreachable Redis), exits at once with 1.
let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) process.exit(1);
  stopping = true;
  setTimeout(() => process.exit(1), config.shutdown.graceMs + config.shutdown.timeoutMs + 10_000).unref();
  running.shutdown(signal === 'SIGINT' ? { graceMs: 0 } : {}).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

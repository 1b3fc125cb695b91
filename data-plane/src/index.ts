import { loadDataPlaneConfig } from './config';
import { startDataPlaneServer } from './server';

const running = await startDataPlaneServer(loadDataPlaneConfig());
console.log(`data plane: ${running.url}/v1 (operator metrics ${running.metricsUrl})`);

const shutdown = (): void => {
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

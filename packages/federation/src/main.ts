// The federation coordinator of one region as its own process (one per region, port 4500 by convention).
import { createRedisBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import { composeConfigReplication } from './config-coordinator';
import { composeFederationCoordinator } from './coordinator';
import { loadFederationConfig } from './config';

const config = loadFederationConfig();
const bus = createRedisBus(config.redisUrl, { keyPrefix: config.redisKeyPrefix });
// The global configuration travels when the region's database is configured (DESIGN.md §10).
const db = config.database === undefined ? undefined : await createDatabase({ url: config.database.url, tenantUrl: config.database.tenantUrl });
const replication =
  db === undefined
    ? undefined
    : composeConfigReplication(
        { ...config.coordinator, platformWriter: config.platformWriter },
        {
          db,
          bus,
          onPoll: (results) => {
            for (const result of results) if (!result.ok) console.warn(`federation: config feed of ${result.region} not reached (${result.error}); will catch up on a later poll`);
          },
          onError: (error) => console.error('federation: config replication', error),
        },
      );
const coordinator = await composeFederationCoordinator(
  { ...config.coordinator, also: replication === undefined ? [] : [replication.handle] },
  {
    bus,
    onPoll: (results) => {
      for (const result of results) if (!result.ok) console.warn(`federation: peer ${result.region} not reached (${result.error}); will catch up on a later poll`);
    },
    onViewPublishFailed: (error) => console.warn(`federation: view not published on the region's bus (${error instanceof Error ? error.message : String(error)}); the next interval publishes it whole`),
  },
);
await new Promise<void>((resolve) => coordinator.server.listen(config.port, config.host, resolve));
const address = coordinator.server.address();
console.log(`federation coordinator (${config.coordinator.region}): http://${config.host}:${typeof address === 'object' && address ? address.port : config.port}`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  // close() makes /readyz answer 503 first, then stops the timers, the subscription and the listener.
  coordinator
    .close()
    .then(() => replication?.close())
    .then(() => db?.close())
    .then(() => bus.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

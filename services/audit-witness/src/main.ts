// The central audit witness as its own process: every region's audit ledger posts its checkpoints
// here (AUDIT_WITNESS_URL=http://<witness>/witness/v1/regions/<region>/checkpoints), and `audit verify`
// reads them back from the same URL.
import { registerTracing, tracingConfigOf } from '@switchyard/tracing';
import { pino } from 'pino';
import { createWitnessServer } from './http-server';
import { openEmbeddedWitnessStore, openPostgresWitnessStore } from './sql-witness-store';
import { createWitness } from './witness';
import { loadWitnessEnv } from './config';

const env = loadWitnessEnv();
const tracing = registerTracing(tracingConfigOf(env), { serviceName: 'switchyard-audit-witness' });
const logger = pino({ name: 'audit-witness' });
const store = env.DATABASE_URL ? await openPostgresWitnessStore(env.DATABASE_URL) : await openEmbeddedWitnessStore(env.WITNESS_DATA_DIR);
let ready = true;
const server = createWitnessServer(createWitness(env.regions, store), logger, () => ready);
server.listen(env.WITNESS_PORT, env.WITNESS_HOST, () => {
  const bound = server.address();
  logger.info({ port: typeof bound === 'object' && bound ? bound.port : env.WITNESS_PORT, regions: env.regions.map((region) => region.name), store: env.DATABASE_URL ? 'postgres' : 'embedded' }, 'audit witness listening');
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    // Readiness first, then no new connections; in-flight submissions finish before the store closes.
    ready = false;
    void (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await tracing.shutdown();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: String(error) }, 'shutdown failed');
      process.exit(1);
    });
  });
}

import path from 'node:path';
import { createDatabase, type Database } from '@switchyard/db';
import { createLocalKms, loadOrCreateMasterKeyring, type MasterKeyring } from '@switchyard/identity/envelope';
import { pino, type Logger } from 'pino';
import type { DataPlaneConfig } from '../config';
import type { DataPlaneBackends } from './compose-data-plane';
import { openSharedState, type SharedState } from './shared-state';
import { databaseStores } from './stores';

/** The database as every deployable opens it: Postgres when DATABASE_URL is set, else the embedded PGlite in the data dir. */
export async function openDatabase(config: Pick<DataPlaneConfig, 'databaseUrl' | 'databaseTenantUrl' | 'dataDir'>): Promise<Database> {
  const db = config.databaseUrl ? await createDatabase({ url: config.databaseUrl, tenantUrl: config.databaseTenantUrl }) : await createDatabase({ dataDir: path.join(config.dataDir, 'pglite') });
  try {
    await db.migrate();
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The master keyring as every deployable loads it: SWITCHYARD_MASTER_KEYS, else the keyring in `<data dir>/keys`. */
export function loadMasterKeyring(config: Pick<DataPlaneConfig, 'masterKeys' | 'dataDir'>): Promise<MasterKeyring> {
  return loadOrCreateMasterKeyring({ dataDir: config.dataDir, keys: config.masterKeys.keys, activeKeyId: config.masterKeys.activeKeyId });
}

export interface OpenedDataPlaneBackends {
  backends: DataPlaneBackends;
  db: Database;
  sharedState: SharedState;
  keyring: MasterKeyring;
  close(): Promise<void>;
}

/** The standalone data plane's backends, picked by its configuration (logger default: JSON lines at LOG_LEVEL). */
export async function openDataPlaneBackends(config: DataPlaneConfig, logger: Logger = pino({ level: config.logLevel, base: { service: 'data-plane' } })): Promise<OpenedDataPlaneBackends> {
  const keyring = await loadMasterKeyring(config);
  const db = await openDatabase(config);
  const sharedState = openSharedState(config);
  return {
    backends: {
      stores: databaseStores(db, { kms: createLocalKms(keyring) }),
      bus: sharedState.bus,
      rateLimiter: sharedState.rateLimiter,
      feedbackLog: sharedState.feedbackLog,
      sessionWindow: sharedState.sessionWindow,
      logger,
    },
    db,
    sharedState,
    keyring,
    async close() {
      await sharedState.close();
      await db.close();
    },
  };
}

import { createInProcessBus } from '@switchyard/bus';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { InternalTokenSigner } from '@switchyard/identity';
import { createLocalKms, generateMasterKey, type KeyManagementService } from '@switchyard/identity/envelope';
import { createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
export { PLATFORM_ADMIN, errorCodes, principalOf } from '@switchyard/subgraph-kit/testing';
import type { GraphQLReply as KitGraphQLReply, GraphQLRequest } from '@switchyard/subgraph-kit/testing';
import type { PeopleDirectory } from '../src/people-directory';
import { createTenantsSubgraph } from '../src/tenants-subgraph';
import type { Logger } from '../src/logger';

export const AUDIENCE = 'subgraph:tenants';

export type GraphQLReply = KitGraphQLReply<{ message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string; homeRegion?: string; region?: string } }>;

export interface TenantsHarness {
  db: Database;
  bus: Bus;
  signer: InternalTokenSigner;
  url: string;
  logged: { message: string; details: object }[];
  request: GraphQLRequest<GraphQLReply>;
  close(): Promise<void>;
}

/**
 * Starts the subgraph on 127.0.0.1:0 over `db`; the caller owns `db`. `kms: null` runs without
 * master keys. Alert webhooks may reach 127.0.0.1 (tests' receivers) unless `webhookAllowedNetworks` says otherwise.
 */
export async function startTenantsHarness(db: Database, options: { kms?: KeyManagementService | null; webhookAllowedNetworks?: string[]; people?: PeopleDirectory; region?: string } = {}): Promise<TenantsHarness> {
  const kms = options.kms === undefined ? createLocalKms({ masterKeys: { test: generateMasterKey() }, activeKeyId: 'test' }) : options.kms;
  const bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  const signer = createInternalTokenSigner(keys.privateKey);
  const logged: { message: string; details: object }[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: (details, message) => logged.push({ message, details }),
    error: (details, message) => logged.push({ message, details }),
  };
  const subgraph = createTenantsSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger,
    webhookAllowedNetworks: options.webhookAllowedNetworks ?? ['127.0.0.1/32'],
    ...(kms ? { kms } : {}),
    ...(options.people ? { people: options.people } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  const url = await listenOnLoopback(subgraph.server);

  return {
    db,
    bus,
    signer,
    url,
    logged,
    request: createGraphQLRequest<GraphQLReply>(url, signer, AUDIENCE),
    async close() {
      await subgraph.close();
      await bus.close();
    },
  };
}

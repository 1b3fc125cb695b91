import type { AddressInfo } from 'node:net';
import { createInProcessBus } from '@switchyard/data-plane/bus';
import type { Bus } from '@switchyard/data-plane/bus';
import type { Database } from '@switchyard/db';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { InternalTokenSigner, Principal, Role } from '@switchyard/identity';
import { createLocalKms, generateMasterKey, type KeyManagementService } from '@switchyard/identity/envelope';
import { createTenantsSubgraph } from '../src/tenants-subgraph';
import type { Logger } from '../src/logger';

export const AUDIENCE = 'subgraph:tenants';

export interface GraphQLReply {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } }[];
  };
}

export interface RequestOptions {
  /** Defaults to a token for `principal` with the right audience; `null` sends no authorization header. */
  token?: string | null;
}

export interface TenantsHarness {
  db: Database;
  bus: Bus;
  signer: InternalTokenSigner;
  url: string;
  logged: { message: string; details: object }[];
  request(principal: Principal | null, query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLReply>;
  close(): Promise<void>;
}

export function principalOf(roles: Role[], tenantId: string | null, subject = `user-${roles.join('-')}`): Principal {
  return { subject, email: `${subject}@example.test`, tenantId, roles, service: 'gateway' };
}

export const PLATFORM_ADMIN = principalOf(['platform_admin'], null, 'platform-admin');

/** Starts the subgraph on 127.0.0.1:0 over `db`; the caller owns `db`. `kms: null` runs without master keys. */
export async function startTenantsHarness(db: Database, options: { kms?: KeyManagementService | null } = {}): Promise<TenantsHarness> {
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
  const subgraph = createTenantsSubgraph({ db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger, ...(kms ? { kms } : {}) });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  const { port } = subgraph.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;

  return {
    db,
    bus,
    signer,
    url,
    logged,
    async request(principal, query, variables = {}, options = {}) {
      const token = options.token !== undefined ? options.token : principal ? await signer.sign(principal, AUDIENCE) : null;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLReply['body'] };
    },
    async close() {
      await subgraph.close();
      await bus.close();
    },
  };
}

export function errorCodes(reply: GraphQLReply): (string | undefined)[] {
  return (reply.body.errors ?? []).map((error) => error.extensions?.code);
}

import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createInternalTokenVerifier, type InternalKeyPair, type Principal } from '@switchyard/identity';
import { GraphQLError, parse } from 'graphql';
import { loadSubgraphSources } from '../compose/subgraph-sources';

/**
 * Two tiny subgraphs with the real schemas and canned data, for gateway tests that do not need a
 * database. They accept nothing but a valid internal token for their own audience, and record
 * who called them.
 */
export interface StandIns {
  urls: { tenants: string; cost: string };
  /** Principals (from verified internal tokens) per subgraph, in call order. */
  calls: { tenants: Principal[]; cost: Principal[] };
  /** The `traceparent` header of every call (absent: not recorded), to check the gateway propagates trace context. */
  traceparents: string[];
  /** Requests refused for a missing or invalid internal token. */
  refused: number;
  /** totalRequests reported by costSummary, per tenant id; tests change it to simulate new usage. */
  usage: Map<string, number>;
  /** Highest number of costSummary resolutions running at once. */
  maxConcurrentCost: number;
  /** Called at the start of each costSummary resolution; a test can make it slow. */
  costGate: () => Promise<void>;
  close(): Promise<void>;
}

interface Context {
  principal: Principal;
}

function summary(tenantId: string, window: string, totalRequests: number) {
  return { tenantId, window, totalCostUsd: totalRequests * 0.01, totalRequests, promptTokens: totalRequests * 10, completionTokens: totalRequests * 5, series: [], byModel: [], shadowCostUsd: 0, shadowRequests: 0, shadowByExperiment: [] };
}

export async function startStandIns(keys: InternalKeyPair): Promise<StandIns> {
  const sources = await loadSubgraphSources();
  const sdl = (name: string) => parse(sources.find((source) => source.name === name)?.sdl ?? '');
  const state: Omit<StandIns, 'urls' | 'close'> = {
    calls: { tenants: [], cost: [] },
    traceparents: [],
    refused: 0,
    usage: new Map(),
    maxConcurrentCost: 0,
    costGate: async () => undefined,
  };
  let concurrentCost = 0;

  const tenants = { id: 't1', slug: 'acme', name: 'Acme', createdAt: '2026-01-01T00:00:00.000Z', apiKeys: [] };
  const tenantsSchema = buildSubgraphSchema([{
    typeDefs: sdl('tenants'),
    resolvers: {
      Query: {
        viewer: (_: unknown, __: unknown, { principal }: Context) => ({ subject: principal.subject, email: principal.email, roles: principal.roles, tenantId: principal.tenantId }),
        tenants: () => [tenants],
        tenant: (_: unknown, { slug }: { slug: string }) => (slug === tenants.slug ? tenants : null),
      },
      Mutation: {
        createTenant: () => {
          throw new GraphQLError('Only platform admins can create tenants.', { extensions: { code: 'FORBIDDEN' } });
        },
      },
      Tenant: { __resolveReference: (ref: { id: string }) => (ref.id === tenants.id ? tenants : null) },
    },
  }]);
  const costSummary = async (tenantId: string, window: string, principal: Principal) => {
    concurrentCost += 1;
    state.maxConcurrentCost = Math.max(state.maxConcurrentCost, concurrentCost);
    try {
      await state.costGate();
      if (tenantId === 'boom') throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db.internal:5432');
      if (tenantId === 'gone') throw new GraphQLError('No tenant gone.', { extensions: { code: 'NOT_FOUND' } });
      if (principal.tenantId !== null && principal.tenantId !== tenantId) {
        throw new GraphQLError('You can only see the cost of your own tenant.', { extensions: { code: 'FORBIDDEN' } });
      }
      return summary(tenantId, window, state.usage.get(tenantId) ?? 0);
    } finally {
      concurrentCost -= 1;
    }
  };
  const costSchema = buildSubgraphSchema([{
    typeDefs: sdl('cost'),
    resolvers: {
      Query: {
        costSummary: (_: unknown, args: { tenantId: string; window: string }, { principal }: Context) => costSummary(args.tenantId, args.window, principal),
      },
      Tenant: {
        cost: (tenant: { id: string }, args: { window: string }, { principal }: Context) => costSummary(tenant.id, args.window, principal),
      },
    },
  }]);

  const start = async (name: 'tenants' | 'cost', schema: ReturnType<typeof buildSubgraphSchema>) => {
    const verify = createInternalTokenVerifier(keys.publicKey, `subgraph:${name}`);
    // The real subgraphs mask internal errors themselves; this stand-in deliberately does not, to prove the gateway masks too.
    const server = new ApolloServer<Context>({ schema, includeStacktraceInErrorResponses: true, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (typeof req.headers.traceparent === 'string') state.traceparents.push(req.headers.traceparent);
        try {
          const principal = await verify(token);
          state.calls[name].push(principal);
          return { principal };
        } catch {
          state.refused += 1;
          throw new GraphQLError('internal token required', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        }
      },
    });
    return { url, server };
  };
  const tenantsServer = await start('tenants', tenantsSchema);
  const costServer = await start('cost', costSchema);

  const standIns = state as StandIns;
  standIns.urls = { tenants: tenantsServer.url, cost: costServer.url };
  standIns.close = async () => {
    await Promise.all([tenantsServer.server.stop(), costServer.server.stop()]);
  };
  return standIns;
}

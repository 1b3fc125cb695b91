/**
 * Every deployable of Switchyard once: what it runs, where it listens and how it is probed. The
 * Dockerfiles (docker/) and the Kubernetes manifests (k8s/) are both rendered from this table, so an
 * image and its pod never disagree on a port or a probe.
 */
export type Probe = { kind: 'http'; path: string } | { kind: 'tcp' };

export type DeployableName = 'data-plane' | 'gateway' | SubgraphName | 'console' | 'platform' | 'federation' | CentralName;
/** Deployed once for every region (k8s/central.ts, values/values-central.yaml). */
export type CentralName = 'cost-optimizer' | 'audit-witness';
export type SubgraphName = 'tenants' | 'policy' | 'experiments' | 'cost' | 'audit' | 'dp' | 'slo' | 'memory';

export interface Deployable {
  name: DeployableName;
  description: string;
  /**
   * How the image runs it: `bundle` = the service bundle of `entry` under plain node (DESIGN.md §3,
   * packages/service-bundle); `next` = the console's `next start` after `next build`.
   */
  build: { kind: 'bundle'; entry: string } | { kind: 'next' };
  port: number;
  /** Environment variables that make it bind every interface inside a container (defaults are loopback). */
  bindEnv: Record<string, string>;
  /** The environment variable that carries the port (the image sets it to `port`). */
  portEnv: string;
  liveness: Probe;
  readiness: Probe;
  /** Operator metrics listener (METRICS_PORT), never exposed through a Service meant for clients. */
  metricsPort?: number;
  /** Subgraphs only accept the gateway's traffic (NetworkPolicy); the federation coordinator only its peer regions' (and the balancer's); `central` runs once for every region. */
  role: 'edge' | 'subgraph' | 'console' | 'all-in-one' | 'coordinator' | 'central';
  /** Node flags the bundle runs with (before `--enable-source-maps`). */
  nodeOptions?: readonly string[];
}

export const SUBGRAPHS: Record<SubgraphName, { port: number }> = {
  tenants: { port: 4101 },
  policy: { port: 4102 },
  experiments: { port: 4103 },
  cost: { port: 4104 },
  audit: { port: 4105 },
  dp: { port: 4106 },
  slo: { port: 4107 },
  memory: { port: 4108 },
};

function subgraph(name: SubgraphName): Deployable {
  const prefix = name.toUpperCase();
  const { port } = SUBGRAPHS[name];
  return {
    name,
    description: `the ${name} subgraph (with the consumers that run beside it)`,
    build: { kind: 'bundle', entry: `subgraphs/${name}/src/main.ts` },
    port,
    portEnv: `${prefix}_SUBGRAPH_PORT`,
    bindEnv: { [`${prefix}_SUBGRAPH_HOST`]: '0.0.0.0' },
    // Subgraphs serve /readyz but no /healthz: a draining subgraph answers 503 on /readyz, which must
    // not get it restarted, so liveness is the open port.
    liveness: { kind: 'tcp' },
    readiness: { kind: 'http', path: '/readyz' },
    ...(name === 'dp' ? { metricsPort: 9464 } : {}),
    role: 'subgraph',
  };
}

export const DEPLOYABLES: readonly Deployable[] = [
  {
    name: 'data-plane',
    description: 'the OpenAI-compatible data plane',
    build: { kind: 'bundle', entry: 'data-plane/src/index.ts' },
    port: 8080,
    portEnv: 'DATA_PLANE_PORT',
    bindEnv: { DATA_PLANE_HOST: '0.0.0.0' },
    liveness: { kind: 'http', path: '/healthz' },
    readiness: { kind: 'http', path: '/readyz' },
    metricsPort: 9464,
    // As data-plane/src/build/node-flags.ts (why each) and its `npm start`: young generation, lazy baseline-only wasm.
    nodeOptions: ['--max-semi-space-size=32', '--wasm-lazy-compilation', '--liftoff-only'],
    role: 'edge',
  },
  {
    name: 'gateway',
    description: 'the federated GraphQL gateway (supergraph)',
    build: { kind: 'bundle', entry: 'supergraph/src/main.ts' },
    port: 4000,
    portEnv: 'SUPERGRAPH_PORT',
    bindEnv: { SUPERGRAPH_HOST: '0.0.0.0' },
    liveness: { kind: 'http', path: '/healthz' },
    readiness: { kind: 'http', path: '/readyz' },
    role: 'edge',
  },
  subgraph('tenants'),
  subgraph('policy'),
  subgraph('experiments'),
  subgraph('cost'),
  subgraph('audit'),
  subgraph('dp'),
  subgraph('slo'),
  subgraph('memory'),
  {
    name: 'console',
    description: 'the Next.js console',
    build: { kind: 'next' },
    port: 3000,
    portEnv: 'PORT',
    bindEnv: { HOSTNAME: '0.0.0.0' },
    // The console has no health route; every page may redirect to sign-in, so the open port it is.
    liveness: { kind: 'tcp' },
    readiness: { kind: 'tcp' },
    role: 'console',
  },
  {
    name: 'platform',
    description: 'every component in one process (`npm start`), for a single box',
    build: { kind: 'bundle', entry: 'platform/src/start.ts' },
    port: 8080,
    portEnv: 'DATA_PLANE_PORT',
    bindEnv: { SWITCHYARD_HOST: '0.0.0.0' },
    liveness: { kind: 'http', path: '/healthz' },
    readiness: { kind: 'http', path: '/readyz' },
    metricsPort: 9464,
    role: 'all-in-one',
  },
  {
    name: 'federation',
    description: "the region's federation coordinator (signed quality-stats deltas between regions, DESIGN.md §10)",
    build: { kind: 'bundle', entry: 'packages/federation/src/main.ts' },
    port: 4500,
    portEnv: 'FEDERATION_PORT',
    bindEnv: { FEDERATION_HOST: '0.0.0.0' },
    liveness: { kind: 'http', path: '/healthz' },
    readiness: { kind: 'http', path: '/readyz' },
    role: 'coordinator',
  },
  {
    name: 'cost-optimizer',
    description: 'the cost optimizer (central with OPTIMIZER_REGIONS: fed by every region)',
    build: { kind: 'bundle', entry: 'services/cost-optimizer/src/main.ts' },
    // It serves no API: its one listener is the operator metrics listener, which is what is probed.
    port: 9464,
    portEnv: 'METRICS_PORT',
    bindEnv: { METRICS_HOST: '0.0.0.0' },
    liveness: { kind: 'tcp' },
    readiness: { kind: 'tcp' },
    role: 'central',
  },
  {
    name: 'audit-witness',
    description: "the central audit witness (every region's audit checkpoints)",
    build: { kind: 'bundle', entry: 'services/audit-witness/src/main.ts' },
    port: 4610,
    portEnv: 'WITNESS_PORT',
    bindEnv: { WITNESS_HOST: '0.0.0.0' },
    liveness: { kind: 'http', path: '/healthz' },
    readiness: { kind: 'http', path: '/readyz' },
    role: 'central',
  },
];

export function deployable(name: DeployableName): Deployable {
  const found = DEPLOYABLES.find((d) => d.name === name);
  if (!found) throw new Error(`unknown deployable ${name}`);
  return found;
}

/**
 * The one image that is not a server: applies the database migrations (bundled
 * `prisma/src/migrate-cli.ts`; the schema engine is WebAssembly, hence the node flag). Run once per
 * release and region, as a Job, before the new pods roll out.
 */
export const MIGRATE_JOB = {
  name: 'migrate',
  description: 'the database migrations (a run-to-completion job)',
  entry: 'prisma/src/migrate-cli.ts',
  nodeOptions: ['--experimental-wasm-modules'],
} as const;

import { renderHaproxyConfig, type HaproxyBox, type HaproxyHealth } from './haproxy-config';

/**
 * HAProxy in front of one region's replicas (issue 14): every box runs as N replicas and is reached
 * only through the balancer. The data plane and the gateway are the public frontends; each subgraph
 * has a frontend of its own that only the gateways use (their `<D>_SUBGRAPH_URL` points at it; bind
 * those on an internal address: the subgraphs refuse any call without the gateway's signed internal
 * token anyway), so a dead subgraph replica costs the gateways nothing but the requests it held.
 * Every server is checked on `/readyz`.
 */

/** The subgraphs the gateway composes, each a box of its own behind the balancer. */
export const SUBGRAPH_BOXES = ['tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'slo', 'memory'] as const;
export type SubgraphBox = (typeof SUBGRAPH_BOXES)[number];

/** Frontend and backend names: `data_plane`, `gateway`, `<d>_subgraph`. */
export type ReplicaSetBox = 'data_plane' | 'gateway' | `${SubgraphBox}_subgraph`;
export const REPLICA_SET_BOXES: readonly ReplicaSetBox[] = ['data_plane', 'gateway', ...SUBGRAPH_BOXES.map((name) => `${name}_subgraph` as const)];

export interface ReplicaSetOptions {
  /** Replicas per box (each box has the same count; the test and the committed file use 2). */
  replicas: number;
  /** Where the balancer listens for `box`: `host:port` or a quoted `"${VAR}"`. */
  bind(box: ReplicaSetBox): string;
  /** Replica `index` (1-based) of `box`: `host:port` or a quoted `"${VAR}"`. */
  server(box: ReplicaSetBox, index: number): string;
  health?: HaproxyHealth;
  /** HAProxy's runtime API socket (see HaproxyConfigOptions.runtimeSocket). */
  runtimeSocket?: string;
}

/** Short, stable server names (`dp1`, `gw2`, `cost1`): they show in HAProxy's logs and stats. */
function serverPrefix(box: ReplicaSetBox): string {
  if (box === 'data_plane') return 'dp';
  if (box === 'gateway') return 'gw';
  return box.replace(/_subgraph$/, '');
}

export function replicaSetBoxes(options: Pick<ReplicaSetOptions, 'replicas' | 'bind' | 'server'>): HaproxyBox[] {
  if (!Number.isInteger(options.replicas) || options.replicas < 1) throw new Error(`replicas must be a positive integer, got ${options.replicas}`);
  return REPLICA_SET_BOXES.map((box) => ({
    name: box,
    bind: options.bind(box),
    primary: {
      name: box,
      servers: Array.from({ length: options.replicas }, (_, i) => ({ name: `${serverPrefix(box)}${i + 1}`, address: options.server(box, i + 1) })),
    },
  }));
}

export function renderReplicaSetConfig(options: ReplicaSetOptions): string {
  return renderHaproxyConfig({
    boxes: replicaSetBoxes(options),
    ...(options.health ? { health: options.health } : {}),
    ...(options.runtimeSocket !== undefined ? { runtimeSocket: options.runtimeSocket } : {}),
  });
}

const envName = (box: ReplicaSetBox) => box.toUpperCase();

/**
 * The committed file: addresses from the environment, `SWITCHYARD_LB_<BOX>_BIND` where the balancer
 * listens and `SWITCHYARD_<BOX>_<n>` for replica n (e.g. `SWITCHYARD_COST_SUBGRAPH_2`).
 */
export function renderCommittedReplicaSet(replicas = 2): string {
  return renderReplicaSetConfig({
    replicas,
    bind: (box) => `"\${SWITCHYARD_LB_${envName(box)}_BIND}"`,
    server: (box, index) => `"\${SWITCHYARD_${envName(box)}_${index}}"`,
  });
}

/** The file `npm run -w @switchyard/deploy haproxy` writes for a one-region replica set. */
export const REPLICA_SET_FILE = 'replica-set.cfg';

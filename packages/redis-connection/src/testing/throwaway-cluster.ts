import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { runningInCi } from './config';

const run = promisify(execFile);

/** Whether this machine can start throwaway Redis servers (tests skip, saying why, when it cannot). */
export function redisServerAvailable(): boolean {
  const probe = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  return probe('redis-server') && probe('redis-cli');
}

export const REDIS_SERVER_MISSING = 'redis-server / redis-cli are not installed (apt-get install redis-server)';

/**
 * Why cluster tests cannot run here, or undefined when they must. Only a missing redis-server is a
 * reason, and never in CI (`CI=true`): there the tests run and fail, so a broken image is noticed.
 */
export function clusterTestsSkipReason(): string | undefined {
  if (runningInCi || redisServerAvailable()) return undefined;
  console.warn(`Redis Cluster tests skipped: ${REDIS_SERVER_MISSING}`);
  return REDIS_SERVER_MISSING;
}

export interface ClusterNode {
  readonly port: number;
  readonly address: string;
  /** SIGKILL: the node vanishes as in a crash (its replica is promoted after the node timeout). */
  kill(): Promise<void>;
  readonly alive: boolean;
}

export interface ThrowawayRedisCluster {
  /** `redis+cluster://` URL listing every node as a seed. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** The node serving `key`'s slot as master right now (asked of a live node). */
  masterOf(key: string): Promise<ClusterNode>;
  /**
   * Resolves once every replica of `master` has everything `master` had when called (replication is
   * asynchronous: what a killed master had not yet sent is lost, as in any Redis failover).
   */
  waitReplicated(master: ClusterNode): Promise<void>;
  /** A live replica of `master` whose copy is in sync, or undefined. */
  replicaOf(master: ClusterNode): Promise<ClusterNode | undefined>;
  /**
   * CLUSTER FAILOVER on `replica`: the coordinated switch an operator makes (its master stops
   * taking writes, the replica catches up, then takes over): no acknowledged write is lost.
   */
  promote(replica: ClusterNode): Promise<void>;
  /** Resolves once every slot is served by a live master again and the cluster says `ok`. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ThrowawayClusterOptions {
  masters?: number;
  /** Replicas per master (failover tests need one). */
  replicas?: number;
  /** cluster-node-timeout: how long a silent master takes to be declared failed (default 1 s). */
  nodeTimeoutMs?: number;
}

/**
 * Several ports held open at once, then released together: probing one at a time can hand out the
 * same port twice. Each node needs two (clients and the cluster bus).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
      );
    }
    return servers.map((s) => {
      const address = s.address();
      if (typeof address !== 'object' || !address) throw new Error('no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ask(port: number, ...command: [string, ...string[]]): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(...command));
  } finally {
    client.disconnect();
  }
}

/** Each slot range and the port of the master serving it, as `port`'s node sees the cluster. */
async function slotMasters(port: number): Promise<{ from: number; to: number; port: number }[]> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
    return ranges.map(([from, to, master]) => ({ from, to, port: master[1] }));
  } finally {
    client.disconnect();
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > giveUpAt) throw new Error(`Redis Cluster: gave up waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(50);
  }
}

/**
 * A real Redis Cluster of this test's own on loopback: `masters` × (1 + `replicas`) redis-server
 * processes without persistence in a fresh directory under the OS temp dir, joined with
 * `redis-cli --cluster create`. `stop()` kills them and removes the directory; the processes are
 * also killed if the test process exits first.
 */
export async function startRedisCluster(options: ThrowawayClusterOptions = {}): Promise<ThrowawayRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const total = masters * (1 + replicas);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-cluster-'));
  const ports = await freePorts(total * 2);
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const nodes: ClusterNode[] = [];
  try {
    for (let i = 0; i < total; i += 1) {
      const port = ports[2 * i] as number;
      const busPort = ports[2 * i + 1] as number;
      // The child's stderr is drained; a node that fails to start is found by the readiness check.
      const child = spawn(
        'redis-server',
        [
          '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1_000),
          // A replica may always take over (the default refuses one that lost its master long ago).
          '--cluster-replica-validity-factor', '0',
          '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', join(dir, `${port}.log`),
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      nodes.push({
        port,
        address: `127.0.0.1:${port}`,
        get alive() {
          return child.exitCode === null && child.signalCode === null;
        },
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          await new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          });
        },
      });
    }
    for (const node of nodes) await until(`node ${node.address} to start`, 10_000, async () => (await ask(node.port, 'PING')) === 'PONG');
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
  } catch (error) {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  async function waitHealthy(timeoutMs = 20_000): Promise<void> {
    const live = () => nodes.filter((n) => n.alive);
    await until('every slot to be served and every node to agree', timeoutMs, async () => {
      const livePorts = new Set(live().map((n) => n.port));
      for (const node of live()) {
        const info = await ask(node.port, 'CLUSTER', 'INFO');
        if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) return false;
        // Until the dead master is noticed its peers still map its slots to it.
        if ((await slotMasters(node.port)).some((range) => !livePorts.has(range.port))) return false;
      }
      // Replicas of live masters have their copy (a failover test needs the data replicated).
      for (const node of live()) {
        const replication = await ask(node.port, 'INFO', 'replication');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) {
          const masterPort = /master_port:(\d+)/.exec(replication)?.[1];
          if (nodes.find((n) => String(n.port) === masterPort)?.alive) return false;
        }
      }
      return true;
    });
  }

  try {
    await waitHealthy();
  } catch (error) {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis+cluster://${nodes.map((n) => n.address).join(',')}`,
    nodes,
    waitHealthy,
    async masterOf(key) {
      const live = nodes.find((n) => n.alive);
      if (!live) throw new Error('no live node');
      const slot = Number(await ask(live.port, 'CLUSTER', 'KEYSLOT', key));
      const port = (await slotMasters(live.port)).find((range) => slot >= range.from && slot <= range.to)?.port;
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no master for slot ${slot}`);
      return node;
    },
    async replicaOf(master) {
      for (const node of nodes) {
        if (!node.alive || node === master) continue;
        const replication = await ask(node.port, 'INFO', 'replication');
        if (replication.includes(`master_port:${master.port}`) && replication.includes('master_link_status:up')) return node;
      }
      return undefined;
    },
    async waitReplicated(master) {
      const offset = Number(/master_repl_offset:(\d+)/.exec(await ask(master.port, 'INFO', 'replication'))?.[1]);
      await until(`the replicas of ${master.address} to reach offset ${offset}`, 20_000, async () => {
        const replicas = /connected_slaves:(\d+)/.exec(await ask(master.port, 'INFO', 'replication'))?.[1];
        if (!replicas || replicas === '0') return false;
        for (const node of nodes.filter((n) => n.alive && n !== master)) {
          const replication = await ask(node.port, 'INFO', 'replication');
          if (!replication.includes(`master_port:${master.port}`)) continue;
          if (Number(/slave_repl_offset:(\d+)/.exec(replication)?.[1] ?? -1) < offset) return false;
        }
        return true;
      });
    },
    async promote(replica) {
      const oldMaster = Number(/master_port:(\d+)/.exec(await ask(replica.port, 'INFO', 'replication'))?.[1]);
      await ask(replica.port, 'CLUSTER', 'FAILOVER');
      // Done when every live node maps no slot to the old master any more.
      await until(`${replica.address} to take over from ${oldMaster}`, 20_000, async () => {
        for (const node of nodes.filter((n) => n.alive)) if ((await slotMasters(node.port)).some((range) => range.port === oldMaster)) return false;
        return true;
      });
      await waitHealthy();
    },
    async stop() {
      process.removeListener('exit', killAll);
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A cluster for one test file, started by `beforeAll(handle.start)` and stopped by
 * `afterAll(handle.stop)`; `url` is read inside tests (after the start).
 */
export interface ClusterForTests {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
  readonly cluster: ThrowawayRedisCluster;
}

export function clusterForTests(options: ThrowawayClusterOptions = {}): ClusterForTests {
  let started: ThrowawayRedisCluster | undefined;
  const current = (): ThrowawayRedisCluster => {
    if (!started) throw new Error('the test cluster is not started (beforeAll(cluster.start))');
    return started;
  };
  return {
    async start() {
      started = await startRedisCluster(options);
    },
    async stop() {
      await started?.stop();
      started = undefined;
    },
    get url() {
      return current().url;
    },
    get cluster() {
      return current();
    },
  };
}

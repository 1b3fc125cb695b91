import { createServer, type AddressInfo } from 'node:net';

/** A free loopback port (bind, read, release): URLs must be known before their servers start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `count` distinct free loopback ports: every probe stays bound until all are read, so the kernel
 * cannot hand one port out twice (probing one at a time can, and two servers then collide).
 */
export async function freePorts(count: number): Promise<number[]> {
  const probes = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      probes.map(
        (probe) =>
          new Promise<number>((resolve, reject) => {
            probe.once('error', reject);
            probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(probes.map((probe) => new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()))));
  }
}

export interface StackPorts {
  CONSOLE_PORT: string;
  SUPERGRAPH_PORT: string;
  TENANTS_SUBGRAPH_PORT: string;
  COST_SUBGRAPH_PORT: string;
  DP_SUBGRAPH_PORT: string;
  AUDIT_SUBGRAPH_PORT: string;
  POLICY_SUBGRAPH_PORT: string;
  EXPERIMENTS_SUBGRAPH_PORT: string;
  SLO_SUBGRAPH_PORT: string;
  MEMORY_SUBGRAPH_PORT: string;
  OIDC_PORT: string;
  DATA_PLANE_PORT: string;
  /** The operator metrics listener of the process these ports are given to (a second process needs its own). */
  METRICS_PORT: string;
}

export async function allocateStackPorts(): Promise<StackPorts> {
  const names: Array<keyof StackPorts> = ['CONSOLE_PORT', 'SUPERGRAPH_PORT', 'TENANTS_SUBGRAPH_PORT', 'COST_SUBGRAPH_PORT', 'DP_SUBGRAPH_PORT', 'AUDIT_SUBGRAPH_PORT', 'POLICY_SUBGRAPH_PORT', 'EXPERIMENTS_SUBGRAPH_PORT', 'SLO_SUBGRAPH_PORT', 'MEMORY_SUBGRAPH_PORT', 'OIDC_PORT', 'DATA_PLANE_PORT', 'METRICS_PORT'];
  const free = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, String(free[i])])) as unknown as StackPorts;
}

/**
 * What REDIS_URL names: one Redis node (`redis://`, `rediss://`, passed to ioredis as is) or a Redis
 * Cluster (`redis+cluster://` or `rediss+cluster://` with TLS), whose URL lists seed nodes separated
 * by commas: `redis+cluster://[user:password@]host:port,host:port/`. Seeds only bootstrap: the
 * client learns every master and replica from CLUSTER SLOTS, so two or three seeds are enough.
 */
export type RedisTarget =
  | { kind: 'node'; url: string }
  | { kind: 'cluster'; nodes: ClusterSeed[]; tls: boolean; username?: string; password?: string };

export interface ClusterSeed {
  host: string;
  port: number;
}

const SCHEMES = ['redis://', 'rediss://', 'redis+cluster://', 'rediss+cluster://'] as const;

/** Throws an Error whose message says what is wrong (configuration reports it at start-up). */
export function parseRedisTarget(url: string): RedisTarget {
  const scheme = SCHEMES.find((s) => url.startsWith(s));
  if (!scheme) throw new Error('must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
  if (scheme === 'redis://' || scheme === 'rediss://') return { kind: 'node', url };
  let rest = url.slice(scheme.length);
  // Everything after the host list: a path (a database number is meaningless on a cluster) or a query.
  const end = rest.search(/[/?#]/);
  if (end >= 0) {
    const tail = rest.slice(end);
    if (tail !== '/') throw new Error('a cluster URL takes no database, path or options after the host list');
    rest = rest.slice(0, end);
  }
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const credentials = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = credentials.indexOf(':');
    const rawUser = colon >= 0 ? credentials.slice(0, colon) : credentials;
    const rawPassword = colon >= 0 ? credentials.slice(colon + 1) : undefined;
    try {
      if (rawUser !== '') username = decodeURIComponent(rawUser);
      if (rawPassword !== undefined && rawPassword !== '') password = decodeURIComponent(rawPassword);
    } catch {
      throw new Error('the credentials of a cluster URL are not valid percent-encoding');
    }
  }
  if (rest === '') throw new Error('a cluster URL names at least one host:port');
  const nodes = rest.split(',').map(parseSeed);
  return {
    kind: 'cluster',
    nodes,
    tls: scheme === 'rediss+cluster://',
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

function parseSeed(text: string): ClusterSeed {
  // `[::1]:7000` for IPv6, `host:port` otherwise; the port is required (no guessing 6379 on a cluster).
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65_535) throw new Error(`"${text}" is not host:port (cluster URLs list host:port,host:port)`);
  return { host: (match[1] ?? match[2]) as string, port };
}

/** For configuration schemas: the same check, as a message or undefined. */
export function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisTarget(url);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

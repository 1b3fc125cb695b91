import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { WebhookAddressPolicy } from './webhook-address-policy';

/** What a tenant is told when the policy refuses the webhook's address (no more: it would map the network). */
export const ADDRESS_REFUSED_OUTCOME = 'refused by policy: the address is not public';
/** What a tenant is told for any other network failure (refused, reset, DNS, TLS…): the detail goes to the operator log only. */
export const UNREACHABLE_OUTCOME = 'the webhook could not be reached';

/** Thrown by the connector, before any socket is opened, when the address is not allowed. */
export class WebhookAddressRefusedError extends Error {
  override readonly name = 'WebhookAddressRefusedError';
  readonly code = 'WEBHOOK_ADDRESS_REFUSED';
  constructor(readonly host: string) {
    super(`webhook address refused by policy (${host} is not a public address)`);
  }
}

/** Every address a host name resolves to (IPv4 and IPv6). */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<{ address: string }>>;

const resolveWithDns: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Picks the address to connect to: an IP literal is judged as it is; a name is resolved here, at
 * connect time, and refused when ANY of its addresses is not allowed (so a name that answers a
 * public and a private address cannot be raced onto the private one, and a DNS answer that
 * changes after the URL was saved — rebinding — is judged again on every connection).
 */
export async function vetWebhookHost(hostname: string, policy: WebhookAddressPolicy, resolve: ResolveHost = resolveWithDns): Promise<string> {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (isIP(host) !== 0) {
    if (!policy.allows(host)) throw new WebhookAddressRefusedError(host);
    return host;
  }
  const addresses = await resolve(host);
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  if (addresses.some(({ address }) => !policy.allows(address))) throw new WebhookAddressRefusedError(host);
  return addresses[0]!.address;
}

export interface GuardedConnectorOptions {
  policy: WebhookAddressPolicy;
  resolve?: ResolveHost;
  /** Opens the socket (default: undici's own connector). Only ever called with a vetted IP address. */
  connect?: buildConnector.connector;
}

/**
 * An undici connector that vets the address first and then connects to exactly that address (so
 * nothing resolves the name again between the check and the connect). TLS still verifies the
 * certificate against the URL's host name: undici derives the SNI/servername from `host`, which
 * is left as it was.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const connect = options.connect ?? buildConnector({});
  return (connectOptions, callback) => {
    vetWebhookHost(connectOptions.hostname, options.policy, options.resolve).then(
      (address) => connect({ ...connectOptions, hostname: address }, callback),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
}

/** Sends one request; resolves with the HTTP status (throws on a network failure, a policy refusal or a timeout). */
export type WebhookPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;

export interface GuardedWebhookPost extends WebhookPost {
  close(): Promise<void>;
}

/**
 * POSTs through an undici Agent whose connector is guarded. Redirects are not followed (undici's
 * `request` has no redirect handling unless asked): a redirect could point anywhere.
 */
export function createGuardedWebhookPost(options: GuardedConnectorOptions): GuardedWebhookPost {
  const agent = new Agent({ connect: createGuardedConnector(options) });
  const post = async (url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> => {
    const response = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
    await response.body.dump();
    return response.statusCode;
  };
  return Object.assign(post, { close: () => agent.close() });
}

/** How a failed try is described: `outcome` for the tenant, `detail` for the operator log. */
export function describeWebhookFailure(error: unknown, timeoutMs: number): { outcome: string; detail: string; refusedByPolicy: boolean } {
  const refused = findInCauses(error, (candidate) => candidate instanceof WebhookAddressRefusedError);
  if (refused) return { outcome: ADDRESS_REFUSED_OUTCOME, detail: refused.message, refusedByPolicy: true };
  if (findInCauses(error, (candidate) => candidate.name === 'TimeoutError' || candidate.name === 'AbortError')) {
    return { outcome: `no answer within ${timeoutMs} ms`, detail: 'timeout', refusedByPolicy: false };
  }
  return { outcome: UNREACHABLE_OUTCOME, detail: networkDetail(error), refusedByPolicy: false };
}

function findInCauses(error: unknown, match: (candidate: Error) => boolean): Error | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (match(current)) return current;
  }
  return undefined;
}

/** fetch reports "fetch failed" and keeps the socket error (ECONNREFUSED, ENOTFOUND, …) as its cause. */
function networkDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof code === 'string') return `${code}: ${error.message}`;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}

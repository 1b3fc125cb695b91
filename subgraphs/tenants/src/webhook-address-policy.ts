import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses an alert webhook may reach. A tenant admin chooses the URL, so without this the
 * gateway's network position would be theirs: loopback services, the private network, the cloud
 * metadata endpoint. Only public unicast addresses are allowed (ipaddr.js's `unicast` range, after
 * unwrapping IPv4-mapped IPv6): loopback, RFC 1918, CGNAT (100.64/10), link-local (169.254/16,
 * fe80::/10, which holds 169.254.169.254), unique-local (fc00::/7, which holds fd00:ec2::254),
 * unspecified, broadcast, multicast, NAT64/6to4/Teredo forms and the other reserved ranges are
 * refused, unless the operator's allowlist (`ALERT_WEBHOOK_ALLOWED_CIDRS`) names them.
 */
export interface WebhookAddressPolicy {
  /** Whether a webhook may connect to this IP address (any other text is refused). */
  allows(address: string): boolean;
}

type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Refused although ipaddr.js calls them unicast: IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by
 * RFC 4291, `::7f00:1` is 127.0.0.1 to some stacks).
 */
const ALSO_REFUSED: readonly Network[] = [ipaddr.parseCIDR('::/96')];

/** Parses an allowlist entry: a CIDR (`10.0.0.0/8`, `fd00::/8`) or one address (`127.0.0.1`, `::1`). Throws on anything else. */
export function parseAllowedNetwork(entry: string): Network {
  const text = entry.trim();
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  if (isIP(text) === 0) throw new Error(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
  const address = ipaddr.parse(text);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

export function createWebhookAddressPolicy(allowed: readonly string[] = []): WebhookAddressPolicy {
  const networks = allowed.map(parseAllowedNetwork);
  const inAllowlist = (address: ipaddr.IPv4 | ipaddr.IPv6): boolean =>
    networks.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  return {
    allows(address) {
      // Only canonical literals (what DNS and the WHATWG URL parser produce): no `127.1`-style guessing here.
      if (isIP(address) === 0) return false;
      const raw = ipaddr.parse(address);
      // `::ffff:127.0.0.1` is 127.0.0.1 on a dual-stack socket: judge it as IPv4.
      const unwrapped = ipaddr.process(address);
      if (inAllowlist(unwrapped) || inAllowlist(raw)) return true;
      if (ALSO_REFUSED.some(([network, bits]) => network.kind() === unwrapped.kind() && unwrapped.match(network, bits))) return false;
      return unwrapped.range() === 'unicast';
    },
  };
}

/**
 * The IP literal a webhook URL names, or null when it names a host to resolve. The WHATWG URL
 * parser has already normalised IPv4 in every spelling (`127.1`, `2130706433`, `0x7f000001`,
 * `0177.0.0.1` all become `127.0.0.1`) and bracketed IPv6.
 */
export function literalAddressOf(url: URL): string | null {
  const host = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? null : host;
}

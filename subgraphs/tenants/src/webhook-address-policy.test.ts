import { describe, expect, it } from 'vitest';
import { createWebhookAddressPolicy, literalAddressOf, parseAllowedNetwork } from './webhook-address-policy';

const REFUSED = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'IPv6 loopback'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'IPv6 unspecified'],
  ['10.1.2.3', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['172.31.255.255', 'RFC 1918'],
  ['192.168.1.1', 'RFC 1918'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.254', 'CGNAT'],
  ['169.254.169.254', 'metadata (link-local)'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1', 'IPv6 link-local'],
  ['fe80::1%eth0', 'IPv6 link-local with a zone'],
  ['fd00:ec2::254', 'AWS IPv6 metadata (ULA)'],
  ['fc00::1', 'ULA'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'IPv6 multicast'],
  ['255.255.255.255', 'broadcast'],
  ['198.18.0.1', 'benchmarking (reserved)'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::7f00:1', 'IPv4-compatible loopback'],
  ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ['2002:7f00:1::', '6to4 of loopback'],
  ['not-an-address', 'a name (names are resolved first)'],
  ['2130706433', 'a non-canonical spelling (the URL parser normalises these first)'],
] as const;

const ALLOWED = ['8.8.8.8', '93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'];

describe('webhook address policy', () => {
  const policy = createWebhookAddressPolicy();

  it.each(REFUSED)('refuses %s (%s)', (address) => {
    expect(policy.allows(address)).toBe(false);
  });

  it.each(ALLOWED)('allows the public address %s', (address) => {
    expect(policy.allows(address)).toBe(true);
  });

  it('allows what the operator allowlist names, and only that', () => {
    const allowlisted = createWebhookAddressPolicy(['127.0.0.1/32', '10.20.0.0/16', '::1']);
    expect(allowlisted.allows('127.0.0.1')).toBe(true);
    expect(allowlisted.allows('::ffff:127.0.0.1')).toBe(true);
    expect(allowlisted.allows('::1')).toBe(true);
    expect(allowlisted.allows('10.20.7.7')).toBe(true);
    expect(allowlisted.allows('127.0.0.2')).toBe(false);
    expect(allowlisted.allows('10.21.0.1')).toBe(false);
    expect(allowlisted.allows('169.254.169.254')).toBe(false);
    expect(allowlisted.allows('8.8.8.8')).toBe(true);
  });

  it('rejects allowlist entries that are not addresses or CIDRs', () => {
    expect(() => parseAllowedNetwork('localhost')).toThrow();
    expect(() => parseAllowedNetwork('10.0.0.0/33')).toThrow();
    expect(() => createWebhookAddressPolicy(['example.test'])).toThrow();
    expect(parseAllowedNetwork(' 127.0.0.1 ')[1]).toBe(32);
  });
});

describe('literalAddressOf', () => {
  it.each([
    ['http://127.1/hook', '127.0.0.1'],
    ['http://2130706433/hook', '127.0.0.1'],
    ['http://0x7f000001/hook', '127.0.0.1'],
    ['http://0177.0.0.1/hook', '127.0.0.1'],
    ['https://0xa9.0xfe.0xa9.0xfe/latest/meta-data', '169.254.169.254'],
    ['https://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1'],
    ['https://[fd00:ec2::254]/', 'fd00:ec2::254'],
  ])('%s names the address %s, which the policy refuses', (url, address) => {
    expect(literalAddressOf(new URL(url))).toBe(address);
    expect(createWebhookAddressPolicy().allows(address)).toBe(false);
  });

  it('is null for a host name', () => {
    expect(literalAddressOf(new URL('https://hooks.example.test/a'))).toBeNull();
    expect(literalAddressOf(new URL('http://localhost:8080/'))).toBeNull();
  });
});

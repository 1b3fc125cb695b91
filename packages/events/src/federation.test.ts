import { describe, expect, it } from 'vitest';
import { FEDERATION_VIEW_FORMAT, MAX_FEDERATION_VIEW_ENTRIES, federationViewMessage, parseFederationViewMessage, type FederationViewMessage } from './federation';

describe('federation view messages', () => {
  const entry = { route: 'smart', upstream: 'mock/mock-gpt', successRate: 0.2, latencyMs: 300, quality: null, volume: 40, regions: ['region-b'] };
  const view: FederationViewMessage = { format: FEDERATION_VIEW_FORMAT, region: 'region-a', version: 1_700_000_000_000, issuedAt: 1_700_000_000_000, ttlMs: 30_000, entries: [entry] };

  it('round-trips a well-formed view', () => {
    expect(parseFederationViewMessage(federationViewMessage(view))).toEqual(view);
  });

  it('refuses malformed, out-of-range, oversized and other-format views', () => {
    expect(parseFederationViewMessage('{not json')).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, format: 2 }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, entries: [{ ...entry, successRate: 1.5 }] }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, entries: [{ ...entry, regions: [] }] }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, entries: [{ ...entry, latencyMs: -1 }] }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, ttlMs: 0 }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, region: 'a b' }))).toBeUndefined();
    expect(parseFederationViewMessage(JSON.stringify({ ...view, entries: Array.from({ length: MAX_FEDERATION_VIEW_ENTRIES + 1 }, () => entry) }))).toBeUndefined();
    expect(() => federationViewMessage({ ...view, version: 0 })).toThrow();
  });
});

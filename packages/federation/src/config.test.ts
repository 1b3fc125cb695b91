import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadFederationConfig } from './config';

const pair = () => generateKeyPairSync('ed25519');

describe('federation coordinator configuration', () => {
  it('reads keys, peers and routes; reports every problem at once', () => {
    const own = pair();
    const peer = pair();
    const env = {
      SWITCHYARD_REGION: 'region-a',
      FEDERATION_SIGNING_KEY: JSON.stringify(own.privateKey.export({ format: 'jwk' })),
      FEDERATION_KEY_ID: 'a-1',
      FEDERATION_TRUSTED_KEYS: JSON.stringify({ 'region-b': [{ keyId: 'b-1', jwk: peer.publicKey.export({ format: 'jwk' }) }] }),
      FEDERATION_PEERS: JSON.stringify([{ region: 'region-b', baseUrl: 'http://127.0.0.1:4501' }]),
      FEDERATION_ROUTES: 'smart, cheap,,',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    const config = loadFederationConfig(env);
    expect(config.port).toBe(4500);
    expect(config.coordinator.signingKey.region).toBe('region-a');
    expect([...config.coordinator.federatedRoutes]).toEqual(['smart', 'cheap']);
    expect(config.coordinator.keyring.get('region-b')?.[0]?.keyId).toBe('b-1');
    expect(config.coordinator.peers).toEqual([{ region: 'region-b', baseUrl: 'http://127.0.0.1:4501' }]);
    expect(config.coordinator.maxPeerSilenceMs).toBe(15 * 60_000);

    const broken = () => loadFederationConfig({ ...env, SWITCHYARD_REGION: 'region a', FEDERATION_PEERS: '[{"region":"b"}]', FEDERATION_TOKEN: 'short' });
    expect(broken).toThrow(/SWITCHYARD_REGION.*FEDERATION_PEERS.*FEDERATION_TOKEN/);
    // Config replication runs only with the region's database; the platform's writer is a region name.
    expect(config.database).toBeUndefined();
    expect(config.platformWriter).toBeUndefined();
    const replicating = loadFederationConfig({ ...env, DATABASE_URL: 'postgres://owner@127.0.0.1:5432/region_a', FEDERATION_PLATFORM_WRITER: 'region-a' });
    expect(replicating.database).toEqual({ url: 'postgres://owner@127.0.0.1:5432/region_a', tenantUrl: undefined });
    expect(replicating.platformWriter).toBe('region-a');
    expect(() => loadFederationConfig({ ...env, DATABASE_URL: 'mysql://x', FEDERATION_PLATFORM_WRITER: 'region a' })).toThrow(/DATABASE_URL.*FEDERATION_PLATFORM_WRITER/);
    // A public key where the private one belongs is refused at start-up.
    expect(() => loadFederationConfig({ ...env, FEDERATION_SIGNING_KEY: JSON.stringify(own.publicKey.export({ format: 'jwk' })) })).toThrow();
  });
});

import type { InternalTokenSigner, Principal } from '@switchyard/identity';
import { describe, expect, it } from 'vitest';
import { createCachingSigner } from './caching-signer';

const alice: Principal = { subject: 'alice', email: null, tenantId: 't1', roles: ['viewer'], service: 'gateway' };
const bob: Principal = { ...alice, subject: 'bob' };

function countingSigner(): InternalTokenSigner & { signed: number } {
  const signer = {
    signed: 0,
    async sign(principal: Principal, audience: string, ttl = 60) {
      signer.signed += 1;
      return `${principal.subject}|${audience}|${ttl}|${signer.signed}`;
    },
  };
  return signer;
}

describe('caching signer', () => {
  it('reuses a token per caller and audience until the reuse window ends', async () => {
    let time = 0;
    const inner = countingSigner();
    const signer = createCachingSigner(inner, { now: () => time });
    const first = await signer.sign(alice, 'subgraph:cost');
    expect(await signer.sign({ ...alice, roles: ['viewer'] }, 'subgraph:cost')).toBe(first);
    expect(await signer.sign(alice, 'subgraph:tenants')).not.toBe(first);
    expect(await signer.sign(bob, 'subgraph:cost')).not.toBe(first);
    expect(await signer.sign({ ...alice, tenantId: 't2' }, 'subgraph:cost')).not.toBe(first);
    time = 29_999;
    expect(await signer.sign(alice, 'subgraph:cost')).toBe(first);
    time = 30_000;
    expect(await signer.sign(alice, 'subgraph:cost')).not.toBe(first);
  });

  it('bounds its size and does not cache failures', async () => {
    const inner = countingSigner();
    const signer = createCachingSigner(inner, { maxEntries: 2 });
    await signer.sign(alice, 'a');
    await signer.sign(bob, 'a');
    await signer.sign(alice, 'b');
    const before = inner.signed;
    await signer.sign(alice, 'a');
    expect(inner.signed).toBe(before + 1);

    let fail = true;
    const flaky = createCachingSigner({
      sign: async () => {
        if (fail) throw new Error('no key');
        return 'ok';
      },
    });
    await expect(flaky.sign(alice, 'a')).rejects.toThrow('no key');
    fail = false;
    await expect(flaky.sign(alice, 'a')).resolves.toBe('ok');
  });
});

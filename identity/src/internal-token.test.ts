import { describe, expect, it } from 'vitest';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type Principal } from './internal-token';

const admin: Principal = { subject: 'u1', email: 'a@example.com', tenantId: null, roles: ['platform_admin'], service: 'gateway' };

describe('internal token', () => {
  it('round-trips a principal for the intended audience', async () => {
    const keys = await generateInternalKeyPair();
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:tenants');
    await expect(createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants')(token)).resolves.toEqual(admin);
  });

  it('refuses another audience, another key, and garbage', async () => {
    const keys = await generateInternalKeyPair();
    const other = await generateInternalKeyPair();
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:tenants');
    await expect(createInternalTokenVerifier(keys.publicKey, 'subgraph:cost')(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(createInternalTokenVerifier(other.publicKey, 'subgraph:tenants')(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants')('not.a.jwt')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an expired token', async () => {
    const keys = await generateInternalKeyPair();
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'a', -1);
    await expect(createInternalTokenVerifier(keys.publicKey, 'a')(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('remembers a verified token only until its expiry, and only the exact string', async () => {
    const keys = await generateInternalKeyPair();
    let clock = Date.now();
    const verify = createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants', { now: () => clock });
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:tenants', 60);
    await expect(verify(token)).resolves.toEqual(admin);
    // Served from memory, and the caller cannot change what is remembered.
    const first = await verify(token);
    first.roles.push('viewer');
    await expect(verify(token)).resolves.toEqual(admin);
    // One character changed in the signature: verified again, and refused.
    const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    await expect(verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // Past its exp a remembered token is refused like any expired one.
    clock += 61_000;
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('never remembers a refused token', async () => {
    const keys = await generateInternalKeyPair();
    const verify = createInternalTokenVerifier(keys.publicKey, 'subgraph:cost');
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:tenants');
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

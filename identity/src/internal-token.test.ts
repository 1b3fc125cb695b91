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
});

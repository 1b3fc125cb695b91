import type { Principal } from '@switchyard/identity';
import { describe, expect, it } from 'vitest';
import { apiKeyIdentity, auditActor, canonicalActor, isSameActor, storedActorForms } from './audit-actor';

const person: Principal = { subject: 'alice', email: 'alice@example.test', tenantId: null, roles: ['tenant_admin'], service: 'gateway' };
// What the gateway signs for an API key caller: its identity is both subject and service.
const apiKey: Principal = { subject: apiKeyIdentity('k1'), email: null, tenantId: null, roles: ['tenant_admin'], service: apiKeyIdentity('k1') };

describe('auditActor', () => {
  it('names a person by subject and an integration by its API key', () => {
    expect(auditActor(person)).toBe('user:alice');
    expect(auditActor(apiKey)).toBe('api-key:k1');
  });

  it('does not take a person whose subject looks like a key for the key', () => {
    expect(auditActor({ subject: 'api-key:k1', service: 'gateway' })).toBe('user:api-key:k1');
  });
});

describe('stored actors', () => {
  it('reads every older form as today’s actor', () => {
    expect(canonicalActor('user:alice')).toBe('user:alice');
    expect(canonicalActor('alice')).toBe('user:alice');
    expect(canonicalActor('api-key:k1')).toBe('api-key:k1');
    expect(canonicalActor('user:api-key:k1')).toBe('api-key:k1');
    expect(canonicalActor('service:data-plane')).toBe('service:data-plane');
  });

  it('finds an API key under both forms audit entries were written with', () => {
    expect(storedActorForms('api-key:k1')).toEqual(['api-key:k1', 'user:api-key:k1']);
    expect(storedActorForms('user:api-key:k1')).toEqual(['api-key:k1', 'user:api-key:k1']);
    expect(storedActorForms('user:alice')).toEqual(['user:alice']);
  });

  it('matches the caller whichever form was stored, and no one else', () => {
    for (const stored of ['user:alice', 'alice']) expect(isSameActor(stored, person), stored).toBe(true);
    for (const stored of ['api-key:k1', 'user:api-key:k1']) expect(isSameActor(stored, apiKey), stored).toBe(true);
    for (const stored of ['user:bob', 'bob', 'api-key:k1']) expect(isSameActor(stored, person), stored).toBe(false);
    expect(isSameActor('user:alice', apiKey)).toBe(false);
  });
});

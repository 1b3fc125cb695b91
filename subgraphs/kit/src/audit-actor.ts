import type { Principal } from '@switchyard/identity';

/**
 * Who did something, as the audit trail and every `createdBy` / `proposedBy` record it: one string
 * per identity, whichever subgraph writes it.
 * - `api-key:<id>`: an integration calling with an API key (its principal's service identity);
 * - `user:<subject>`: a person (OIDC subject);
 * - `service:<name>`: a service acting on its own (e.g. `service:data-plane`).
 */
export type AuditActor = string;

/** An API key caller's identity, in internal tokens (subject and service) and as its actor. */
export const API_KEY_IDENTITY_PREFIX = 'api-key:';
const USER_PREFIX = 'user:';
const SERVICE_PREFIX = 'service:';

export function apiKeyIdentity(apiKeyId: string): string {
  return `${API_KEY_IDENTITY_PREFIX}${apiKeyId}`;
}

/** The actor of the caller an internal token names: the API key it called with, else the person. */
export function auditActor(principal: Pick<Principal, 'subject' | 'service'>): AuditActor {
  return principal.service.startsWith(API_KEY_IDENTITY_PREFIX) ? principal.service : `${USER_PREFIX}${principal.subject}`;
}

/**
 * A stored actor in today's form. Older rows hold other forms: a bare subject (`createdBy`,
 * `proposedBy`, `approvedBy` before they held actors; an API key's subject is already
 * `api-key:<id>`) and `user:api-key:<id>` (audit entries some subgraphs wrote for API keys).
 */
export function canonicalActor(stored: string): AuditActor {
  if (stored.startsWith(`${USER_PREFIX}${API_KEY_IDENTITY_PREFIX}`)) return stored.slice(USER_PREFIX.length);
  if (stored.startsWith(USER_PREFIX) || stored.startsWith(API_KEY_IDENTITY_PREFIX) || stored.startsWith(SERVICE_PREFIX)) return stored;
  return `${USER_PREFIX}${stored}`;
}

/** Every form an actor may be stored under (today's first), so a lookup by actor also finds older rows. */
export function storedActorForms(actor: string): AuditActor[] {
  const current = canonicalActor(actor);
  const forms = [current];
  if (current.startsWith(API_KEY_IDENTITY_PREFIX)) forms.push(`${USER_PREFIX}${current}`);
  return forms;
}

/**
 * Whether a stored actor (any form) is this caller. Errs towards "same": a legacy bare subject
 * also matches the caller's raw subject, so a rule such as "a different admin must approve"
 * can never be passed by the same person under two spellings.
 */
export function isSameActor(stored: string, principal: Pick<Principal, 'subject' | 'service'>): boolean {
  return stored === principal.subject || canonicalActor(stored) === auditActor(principal);
}

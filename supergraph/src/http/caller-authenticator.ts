import { apiKeyStatus, type ApiKeyResolver } from '@switchyard/identity/api-keys';
import { hashApiKeySecret, type MembershipDirectory, type Principal, type Role } from '@switchyard/identity';
import { API_KEY_IDENTITY_PREFIX, apiKeyIdentity } from '@switchyard/subgraph-kit/audit-actor';
import type { GatewayErrorCode } from '../errors';

/**
 * Who may call the GraphQL API (DESIGN.md §4): a person with an OIDC access token, whose tenant
 * and role come from the members table; or an integration with an API key carrying an admin
 * scope. Both end as one Principal the gateway then vouches for in each internal token.
 */
export type AuthenticateCaller = (token: string, requestedTenant?: string) => Promise<Principal>;

/** A caller refused for a reason with its own code (the message says what to do). */
export class CallerRefusedError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallerRefusedError';
  }
}

/** Admin scopes an API key may carry for the GraphQL API, and the role each grants. */
export const ADMIN_SCOPE_ROLES = { 'admin:write': 'tenant_admin', 'admin:read': 'viewer' } as const satisfies Record<string, Exclude<Role, 'platform_admin'>>;
/** Service identity prefix of API-key callers in internal tokens: `api-key:<id>`, also their audit actor. */
export const API_KEY_SERVICE_PREFIX = API_KEY_IDENTITY_PREFIX;

const API_KEY_PREFIX = 'sk-sy-';
const MAX_API_KEY_LENGTH = 256;

export interface CallerAuthenticatorOptions {
  /** Verifies an OIDC access token and maps its claims to a principal. */
  verifyAccessToken: (token: string) => Promise<Principal>;
  /**
   * Tenant memberships by subject/email. When set, a person's tenant and role come only from it
   * (the token's `tid`/`roles` claims are ignored, except `platform_admin`, which only the issuer
   * grants); when absent, the claims are trusted as they are.
   */
  memberships?: MembershipDirectory;
  /** When set, `Bearer sk-sy-…` API keys with an admin scope are accepted. */
  apiKeys?: ApiKeyResolver;
  /** Told about every API key that authenticated (last-used tracking; no I/O inline). */
  onApiKeyUsed?: (apiKeyId: string) => void;
  now?: () => Date;
}

/** The role an admin-scoped key acts with: the strongest admin scope it carries; null without one. */
export function roleForApiKeyScopes(scopes: readonly string[]): Exclude<Role, 'platform_admin'> | null {
  if (scopes.includes('admin:write')) return ADMIN_SCOPE_ROLES['admin:write'];
  if (scopes.includes('admin:read')) return ADMIN_SCOPE_ROLES['admin:read'];
  return null;
}

/** A signed-in person's principal from their memberships; platform_admin only from the token. */
export function principalFromMemberships(
  token: Principal,
  memberships: ReadonlyArray<{ tenantId: string; role: Role }>,
  requestedTenant: string | undefined,
): Principal {
  const base = { subject: token.subject, email: token.email, service: token.service };
  if (token.roles.includes('platform_admin')) return { ...base, tenantId: null, roles: ['platform_admin'] };
  // A members row can never make anyone a platform admin.
  const usable = memberships.filter((membership) => membership.role !== 'platform_admin');
  const chosen = requestedTenant === undefined ? usable[0] : usable.find((membership) => membership.tenantId === requestedTenant);
  if (!chosen) {
    throw requestedTenant === undefined
      ? new CallerRefusedError('NOT_A_MEMBER', 'You are signed in, but you are not a member of any tenant. Ask a tenant admin to add you (by your subject or email).')
      : new CallerRefusedError('NOT_A_MEMBER', 'You are not a member of the tenant named in x-switchyard-tenant.');
  }
  return { ...base, tenantId: chosen.tenantId, roles: [chosen.role] };
}

export function createCallerAuthenticator(options: CallerAuthenticatorOptions): AuthenticateCaller {
  const now = options.now ?? (() => new Date());

  async function apiKeyPrincipal(secret: string, apiKeys: ApiKeyResolver): Promise<Principal> {
    const record = secret.length <= MAX_API_KEY_LENGTH ? await apiKeys.resolve(hashApiKeySecret(secret)) : null;
    if (!record) throw new CallerRefusedError('INVALID_API_KEY', 'The API key is not valid. Create a key with an admin scope in the console.');
    const status = apiKeyStatus(record, now());
    if (status === 'revoked') throw new CallerRefusedError('API_KEY_REVOKED', 'The API key has been revoked. Create a new key in the console.');
    if (status === 'expired') throw new CallerRefusedError('API_KEY_EXPIRED', 'The API key has expired. Create a new key in the console.');
    const role = roleForApiKeyScopes(record.scopes);
    if (!role) {
      throw new CallerRefusedError('INSUFFICIENT_SCOPE', 'This API key has no admin scope: the GraphQL API needs a key with admin:read (read) or admin:write (read and change).');
    }
    options.onApiKeyUsed?.(record.id);
    const identity = apiKeyIdentity(record.id);
    return { subject: identity, email: null, tenantId: record.tenantId, roles: [role], service: identity };
  }

  return async (token, requestedTenant) => {
    if (token.startsWith(API_KEY_PREFIX)) {
      if (!options.apiKeys) throw new CallerRefusedError('INVALID_API_KEY', 'This API does not accept API keys; sign in with OIDC.');
      return apiKeyPrincipal(token, options.apiKeys);
    }
    const claimed = await options.verifyAccessToken(token);
    if (!options.memberships) return claimed;
    if (claimed.roles.includes('platform_admin')) return principalFromMemberships(claimed, [], requestedTenant);
    return principalFromMemberships(claimed, await options.memberships.membershipsOf(claimed.subject, claimed.email), requestedTenant);
  };
}

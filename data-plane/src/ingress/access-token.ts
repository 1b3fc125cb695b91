import type { AccessTokenClaimsVerifier, MembershipDirectory, VerifiedAccessToken } from '@switchyard/identity';
import { ApiError, type ErrorCode } from '../errors';
import type { AuthenticatedCaller } from './authenticate';

/** Header a person who belongs to several tenants sends to say which one a request is for (tenant id). */
export const TENANT_HEADER = 'x-switchyard-tenant';

/**
 * OIDC access tokens on the data plane (DESIGN.md §3, ingress): verified with the issuer's JWKS
 * (cached by jose, refetched on an unknown `kid`), then mapped to a tenant and data-plane scopes.
 */
export interface AccessTokenAuthentication {
  verify: AccessTokenClaimsVerifier;
  /**
   * The claim that names the caller's tenant id (e.g. `tid`), for issuers that assert it. Absent:
   * the tenant comes from the members table (by subject, then email) through `memberships`.
   */
  tenantClaim?: string;
  memberships?: MembershipDirectory;
  /** The token's `scope` values → the data plane's scopes; scopes not listed grant nothing. */
  scopeMap: Readonly<Record<string, readonly string[]>>;
}

/** Default mapping: the issuer's `inference` scope grants `inference`. */
export const DEFAULT_TOKEN_SCOPE_MAP: Readonly<Record<string, readonly string[]>> = { inference: ['inference'] };

const REASON_CODES: Record<string, ErrorCode> = {
  expired: 'token_expired',
  bad_signature: 'invalid_token_signature',
  wrong_audience: 'invalid_token_audience',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function refusal(error: unknown): ApiError {
  const { code, reason, message } = error as { code?: unknown; reason?: unknown; message?: unknown };
  if (code === 'IDENTITY_PROVIDER_UNAVAILABLE') return new ApiError('identity_provider_unavailable', { retryAfterSeconds: 5 });
  if (code !== 'UNAUTHENTICATED') throw error;
  const mapped = typeof reason === 'string' ? REASON_CODES[reason] : undefined;
  // The verifier's messages say what is wrong (which claim, expired, …) without echoing secrets.
  return new ApiError(mapped ?? 'invalid_token', typeof message === 'string' ? { message: `The access token was refused: ${message}.` } : {});
}

function mapScopes(granted: readonly string[], scopeMap: AccessTokenAuthentication['scopeMap']): string[] {
  const scopes = new Set<string>();
  for (const scope of granted) for (const mapped of Object.hasOwn(scopeMap, scope) ? (scopeMap[scope] ?? []) : []) scopes.add(mapped);
  return [...scopes];
}

async function tenantOf(verified: VerifiedAccessToken, requested: string | undefined, auth: AccessTokenAuthentication): Promise<string> {
  if (auth.tenantClaim !== undefined) {
    const claimed = verified.claims[auth.tenantClaim];
    if (typeof claimed !== 'string' || !UUID.test(claimed)) {
      throw new ApiError('unknown_tenant', { message: `The access token carries no tenant: its '${auth.tenantClaim}' claim must be a tenant id.` });
    }
    if (requested !== undefined && requested !== claimed) throw new ApiError('unknown_tenant', { message: `The access token is for another tenant than the one named in ${TENANT_HEADER}.` });
    return claimed;
  }
  if (!auth.memberships) throw new ApiError('unknown_tenant', { message: 'This data plane has no way to map people to tenants; use an API key.' });
  const { subject, email } = verified.principal;
  const memberships = await auth.memberships.membershipsOf(subject, email);
  if (requested !== undefined) {
    if (memberships.some((membership) => membership.tenantId === requested)) return requested;
    throw new ApiError('unknown_tenant', { message: `You are not a member of the tenant named in ${TENANT_HEADER}. Ask one of its tenant admins to add you.` });
  }
  const [oldest] = memberships;
  if (!oldest) throw new ApiError('unknown_tenant', { message: 'You are not a member of any tenant. Ask a tenant admin to add you.' });
  return oldest.tenantId;
}

export async function authenticateAccessToken(token: string, requestedTenant: string | undefined, auth: AccessTokenAuthentication): Promise<AuthenticatedCaller> {
  let verified: VerifiedAccessToken;
  try {
    verified = await auth.verify(token);
  } catch (error) {
    throw refusal(error);
  }
  const tenantId = await tenantOf(verified, requestedTenant, auth);
  const callerId = `user:${verified.principal.subject}`;
  return { kind: 'user', callerId, actor: callerId, apiKeyId: null, tenantId, scopes: mapScopes(verified.scopes, auth.scopeMap) };
}

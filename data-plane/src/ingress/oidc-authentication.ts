import { createAccessTokenClaimsVerifier, createCachedMembershipDirectory, subscribeMembershipEviction, type MembershipStore } from '@switchyard/identity';
import type { Logger } from 'pino';
import type { Bus } from '@switchyard/bus';
import type { AccessTokenAuthentication } from './access-token';

export interface OidcAuthenticationConfig {
  issuer: string;
  audience: string;
  jwksUri: string | undefined;
  tenantClaim: string | undefined;
  scopeMap: Record<string, string[]>;
  clockToleranceSeconds: number;
}

/** Wiring for a standalone data plane: token verifier plus, without a tenant claim, the member cache kept fresh by the bus. */
export async function createOidcAuthentication(
  config: OidcAuthenticationConfig,
  members: MembershipStore,
  bus: Pick<Bus, 'subscribe'>,
  logger: Logger,
): Promise<{ authentication: AccessTokenAuthentication; close(): Promise<void> }> {
  const verify = createAccessTokenClaimsVerifier({
    issuer: config.issuer,
    audience: config.audience,
    clockToleranceSeconds: config.clockToleranceSeconds,
    // Clients resend the same token on every call: after the first, verification is a map lookup.
    verifiedCacheSize: 10_000,
    ...(config.jwksUri ? { jwksUri: config.jwksUri } : {}),
  });
  if (config.tenantClaim !== undefined) {
    return { authentication: { verify, tenantClaim: config.tenantClaim, scopeMap: config.scopeMap }, close: async () => undefined };
  }
  const memberships = createCachedMembershipDirectory(members, { onReloadError: (error) => logger.warn({ err: error }, 'memberships reload failed; serving the cached answer') });
  const unsubscribe = await subscribeMembershipEviction(bus, memberships);
  return { authentication: { verify, memberships, scopeMap: config.scopeMap }, close: unsubscribe };
}

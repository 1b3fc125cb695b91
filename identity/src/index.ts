import type { OidcIssuer, OidcIssuerOptions } from './oidc-issuer/issuer';

export {
  ROLES,
  INTERNAL_TOKEN_ISSUER,
  InvalidInternalTokenError,
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalKeyPair,
  exportInternalKeyPair,
  importInternalPrivateKey,
  importInternalPublicKey,
} from './internal-token';
export type { Principal, Role, InternalKeyPair, InternalTokenSigner, InternalTokenVerifier } from './internal-token';
export { generateApiKeySecret, hashApiKeySecret, looksLikeApiKeySecret } from './api-key-secret';
export type { NewApiKeySecret } from './api-key-secret';
export {
  createAccessTokenVerifier,
  createAccessTokenClaimsVerifier,
  InvalidAccessTokenError,
  IdentityProviderUnavailableError,
} from './access-token-verifier';
export type {
  AccessTokenVerifier,
  AccessTokenClaimsVerifier,
  AccessTokenVerifierOptions,
  InvalidAccessTokenReason,
  VerifiedAccessToken,
} from './access-token-verifier';
export { createCachedMembershipDirectory, subscribeMembershipEviction } from './membership-directory';
export type { Membership, MembershipDirectory, MembershipStore, MembershipChangeSource, CachedMembershipDirectoryOptions } from './membership-directory';
export { SWITCHYARD_API_RESOURCE, CONSOLE_CLIENT_ID, DEFAULT_ISSUER } from './oidc-issuer/constants';
export type { OidcIssuer, OidcIssuerOptions };
export type { IssuerUser } from './oidc-issuer/accounts';

/**
 * Loaded on first use: oidc-provider (Koa and friends) is only needed by the process that hosts
 * the bundled issuer, and it warns on import under Node 20.
 */
export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const { startOidcIssuer: start } = await import('./oidc-issuer/issuer');
  return start(options);
}

import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { ROLES, type Principal, type Role } from './internal-token';

/**
 * Verifies OIDC access tokens (RFC 9068 JWTs) at the edge of the admin plane and maps them to a
 * Principal. Keys come from the issuer's JWKS, cached; a token signed with an unknown `kid` makes
 * jose refetch the set (key rotation), at most once per cooldown.
 */
export interface AccessTokenVerifierOptions {
  issuer: string;
  /** Expected `aud`, e.g. `urn:switchyard:api`. */
  audience: string;
  /** Default: `jwks_uri` from the issuer's discovery document. */
  jwksUri?: string;
  /** RFC 9068 `typ` header to require; `null` accepts any (for issuers that mint plain `JWT` access tokens). Default `at+jwt`. */
  requiredType?: string | null;
  /** Minimum time between JWKS refetches triggered by unknown keys. Default 30 s. */
  jwksCooldownMs?: number;
  /** Allowed clock skew in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /**
   * Remember up to this many verified tokens (each for at most 5 minutes, never past its `exp`), so
   * a client that sends the same token on every request costs a map lookup instead of a signature
   * check. Default 0 (off). The 5-minute bound caps how long a key withdrawn from the JWKS still counts.
   */
  verifiedCacheSize?: number;
  /** Clock for expiry checks (tests). Default Date.now. */
  now?: () => number;
}

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

/** What exactly is wrong with a refused token, for callers that map it to their own stable codes. */
export type InvalidAccessTokenReason = 'missing' | 'malformed' | 'expired' | 'bad_signature' | 'wrong_audience' | 'wrong_issuer' | 'invalid_claims';

/** The caller's token is missing, malformed, forged, expired or meant for someone else (HTTP 401). */
export class InvalidAccessTokenError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(
    message: string,
    readonly reason: InvalidAccessTokenReason = 'malformed',
  ) {
    super(message);
    this.name = 'InvalidAccessTokenError';
  }
}

/** A verified access token: the principal the claims describe, the granted scopes, and every claim. */
export interface VerifiedAccessToken {
  principal: Principal;
  /** The space-separated `scope` claim (RFC 9068), split; empty when absent. */
  scopes: string[];
  /** Every claim of the verified token (e.g. a configured tenant claim). */
  claims: Readonly<Record<string, unknown>>;
  /** `exp` in epoch ms. */
  expiresAt: number;
}

export type AccessTokenClaimsVerifier = (token: string) => Promise<VerifiedAccessToken>;

/** The issuer's keys could not be fetched: not the caller's fault, retry later (HTTP 503). */
export class IdentityProviderUnavailableError extends Error {
  readonly code = 'IDENTITY_PROVIDER_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdentityProviderUnavailableError';
  }
}

const MAX_TOKEN_LENGTH = 16 * 1024;
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const claimsSchema = z.object({
  sub: z.string().min(1),
  exp: z.number(),
  scope: z.string().max(4096).optional(),
  email: z.string().nullish(),
  tid: z.string().min(1).nullish(),
  // Roles this platform does not know are ignored rather than fatal: the IdP may carry others.
  roles: z
    .array(z.string())
    .optional()
    .transform((roles) => (roles ?? []).filter((role): role is Role => (ROLES as readonly string[]).includes(role))),
});

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.string().url() });

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new IdentityProviderUnavailableError(`could not read the OIDC discovery document at ${url}`, { cause: error });
  }
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success) throw new IdentityProviderUnavailableError(`the OIDC discovery document at ${url} has no valid jwks_uri`);
  if (parsed.data.issuer !== issuer) {
    throw new IdentityProviderUnavailableError(`the OIDC discovery document at ${url} names issuer ${parsed.data.issuer}, expected ${issuer}`);
  }
  return parsed.data.jwks_uri;
}

function describe(error: unknown): InvalidAccessTokenError | IdentityProviderUnavailableError {
  if (error instanceof InvalidAccessTokenError || error instanceof IdentityProviderUnavailableError) return error;
  if (error instanceof joseErrors.JWTExpired) return new InvalidAccessTokenError('access token expired; sign in again or refresh it', 'expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const reason = error.claim === 'aud' ? 'wrong_audience' : error.claim === 'iss' ? 'wrong_issuer' : 'invalid_claims';
    return new InvalidAccessTokenError(`access token rejected: ${error.claim} claim check failed (${error.reason})`, reason);
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new InvalidAccessTokenError('access token signed with a key the issuer does not publish', 'bad_signature');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidAccessTokenError('access token signature is invalid', 'bad_signature');
  if (error instanceof joseErrors.JWKSTimeout) return new IdentityProviderUnavailableError('timed out fetching the issuer keys', { cause: error });
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new InvalidAccessTokenError('access token uses a signing algorithm that is not allowed', 'bad_signature');
  if (error instanceof joseErrors.JWKSInvalid || error instanceof joseErrors.JWKInvalid) {
    return new IdentityProviderUnavailableError('the issuer published an invalid key set', { cause: error });
  }
  if (error instanceof joseErrors.JOSEError) {
    // "Expected 200 OK from the JSON Web Key Set HTTP response" and friends.
    if (/JSON Web Key Set/i.test(error.message)) return new IdentityProviderUnavailableError('could not fetch the issuer keys', { cause: error });
    return new InvalidAccessTokenError(`access token is malformed or invalid (${error.code})`);
  }
  return new IdentityProviderUnavailableError('could not fetch the issuer keys', { cause: error });
}

/** Verifies like createAccessTokenVerifier and returns the principal together with the token's scopes and claims. */
export function createAccessTokenClaimsVerifier(options: AccessTokenVerifierOptions): AccessTokenClaimsVerifier {
  const verify = createUncachedClaimsVerifier(options);
  const maxEntries = options.verifiedCacheSize ?? 0;
  if (maxEntries <= 0) return verify;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { verified: VerifiedAccessToken; until: number }>();
  return async (token) => {
    const hit = cache.get(token);
    if (hit && hit.until > now()) return hit.verified;
    if (hit) cache.delete(token);
    const verified = await verify(token);
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(token, { verified, until: Math.min(verified.expiresAt, now() + VERIFIED_CACHE_MAX_MS) });
    return verified;
  };
}

const VERIFIED_CACHE_MAX_MS = 5 * 60_000;

function createUncachedClaimsVerifier(options: AccessTokenVerifierOptions): AccessTokenClaimsVerifier {
  const issuer = options.issuer.replace(/\/$/, '');
  const requiredType = options.requiredType === undefined ? 'at+jwt' : options.requiredType;
  let keySet: Promise<JWTVerifyGetKey> | undefined;

  const getKeySet = (): Promise<JWTVerifyGetKey> => {
    keySet ??= (async () => {
      const jwksUri = options.jwksUri ?? (await discoverJwksUri(issuer));
      return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: options.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 });
    })();
    // A failed discovery is retried by the next call instead of being cached forever.
    keySet.catch(() => {
      keySet = undefined;
    });
    return keySet;
  };

  return async (token) => {
    if (!token) throw new InvalidAccessTokenError('no access token: send "Authorization: Bearer <access token>"', 'missing');
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidAccessTokenError('access token too large');
    if (token.split('.').length !== 3) throw new InvalidAccessTokenError('access token is not a signed JWT');
    try {
      const { payload } = await jwtVerify(token, await getKeySet(), {
        issuer,
        audience: options.audience,
        algorithms: ASYMMETRIC_ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ['sub', 'exp', 'iat'],
        ...(options.now ? { currentDate: new Date(options.now()) } : {}),
        ...(requiredType ? { typ: requiredType } : {}),
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw new InvalidAccessTokenError(`access token claims are invalid: ${claims.error.issues[0]?.message ?? 'unknown'}`, 'invalid_claims');
      return {
        principal: {
          subject: claims.data.sub,
          email: claims.data.email ?? null,
          tenantId: claims.data.tid ?? null,
          roles: claims.data.roles,
          service: 'oidc',
        },
        scopes: (claims.data.scope ?? '').split(' ').filter(Boolean),
        claims: payload,
        expiresAt: claims.data.exp * 1000,
      };
    } catch (error) {
      throw describe(error);
    }
  };
}

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const verify = createAccessTokenClaimsVerifier(options);
  return async (token) => (await verify(token)).principal;
}

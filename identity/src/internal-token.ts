import { SignJWT, jwtVerify, generateKeyPair, exportJWK, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { z } from 'zod';

/**
 * Short-lived service tokens the gateway signs (Ed25519) for each subgraph call (DESIGN.md §4).
 * Subgraphs accept nothing else: the caller's identity reaches them only through this token.
 */
export const INTERNAL_TOKEN_ISSUER = 'switchyard-gateway';
const ALG = 'EdDSA';

export const ROLES = ['platform_admin', 'tenant_admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Subject of the original caller (OIDC `sub`). */
  subject: string;
  email: string | null;
  /** Tenant the caller belongs to; null for platform-level callers. */
  tenantId: string | null;
  roles: Role[];
  /** The service that vouched for the caller (e.g. `gateway`). */
  service: string;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string().nullable().optional(),
  tid: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
  svc: z.string().min(1),
});

export interface InternalKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function generateInternalKeyPair(): Promise<InternalKeyPair> {
  return generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
}

export async function exportInternalKeyPair(keys: InternalKeyPair): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  return { privateJwk: await exportJWK(keys.privateKey), publicJwk: await exportJWK(keys.publicKey) };
}

export async function importInternalPublicKey(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, ALG)) as CryptoKey;
}

export async function importInternalPrivateKey(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, ALG)) as CryptoKey;
}

export interface InternalTokenSigner {
  /** Sign a token for one audience (e.g. `subgraph:tenants`), valid for `ttlSeconds` (default 60). */
  sign(principal: Principal, audience: string, ttlSeconds?: number): Promise<string>;
}

export function createInternalTokenSigner(privateKey: CryptoKey): InternalTokenSigner {
  return {
    async sign(principal, audience, ttlSeconds = 60) {
      return new SignJWT({ email: principal.email, tid: principal.tenantId, roles: principal.roles, svc: principal.service })
        .setProtectedHeader({ alg: ALG, typ: 'JWT' })
        .setIssuer(INTERNAL_TOKEN_ISSUER)
        .setAudience(audience)
        .setSubject(principal.subject)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
  };
}

export class InvalidInternalTokenError extends Error {
  readonly code = 'UNAUTHENTICATED';
}

export type InternalTokenVerifier = (token: string) => Promise<Principal>;

export interface InternalTokenVerifierOptions {
  /**
   * Tokens remembered once verified, until their own expiry (default 1,000; 0 turns it off). The
   * gateway reuses a token for one caller and audience for up to 30 s, so a subgraph sees the same
   * token many times: an Ed25519 verification and a JWT parse per request become one map lookup.
   * A remembered token is the exact string verified, so nothing about it can have changed.
   */
  cacheSize?: number;
  now?: () => number;
}

/** Verifies signature, issuer, audience and expiry; throws InvalidInternalTokenError otherwise. */
export function createInternalTokenVerifier(publicKey: CryptoKey, audience: string, options: InternalTokenVerifierOptions = {}): InternalTokenVerifier {
  const cacheSize = options.cacheSize ?? 1000;
  const now = options.now ?? Date.now;
  const verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  async function verify(token: string): Promise<{ principal: Principal; expiresAtMs: number }> {
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer: INTERNAL_TOKEN_ISSUER, audience, algorithms: [ALG], currentDate: new Date(now()) });
      const claims = claimsSchema.parse(payload);
      const principal: Principal = { subject: claims.sub, email: claims.email ?? null, tenantId: claims.tid, roles: claims.roles, service: claims.svc };
      // A token without exp (never signed so here) is verified every time, never remembered.
      return { principal, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : 0 };
    } catch (error) {
      throw new InvalidInternalTokenError(`invalid internal token: ${error instanceof Error ? error.message : 'unknown'}`);
    }
  }

  return async (token) => {
    const cached = verified.get(token);
    if (cached) {
      // Past its expiry a remembered token is refused like any expired one.
      if (cached.expiresAtMs > now()) return { ...cached.principal, roles: [...cached.principal.roles] };
      verified.delete(token);
    }
    const result = await verify(token);
    if (cacheSize > 0 && result.expiresAtMs > now()) {
      if (verified.size >= cacheSize) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(token, result);
    }
    return { ...result.principal, roles: [...result.principal.roles] };
  };
}

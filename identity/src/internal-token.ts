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

/** Verifies signature, issuer, audience and expiry; throws InvalidInternalTokenError otherwise. */
export function createInternalTokenVerifier(publicKey: CryptoKey, audience: string): InternalTokenVerifier {
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer: INTERNAL_TOKEN_ISSUER, audience, algorithms: [ALG] });
      const claims = claimsSchema.parse(payload);
      return { subject: claims.sub, email: claims.email ?? null, tenantId: claims.tid, roles: claims.roles, service: claims.svc };
    } catch (error) {
      throw new InvalidInternalTokenError(`invalid internal token: ${error instanceof Error ? error.message : 'unknown'}`);
    }
  };
}

import type { Principal } from '@switchyard/identity';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import type { GatewayErrorCode } from '../errors';
import { CallerRefusedError } from './caller-authenticator';

/** Access token or API key (see caller-authenticator.ts) → principal; `requestedTenant` picks one of a person's tenants. */
export type VerifyAccessToken = (token: string, requestedTenant?: string) => Promise<Principal>;

export type Authentication = { ok: true; principal: Principal; token: string } | { ok: false; code: GatewayErrorCode; message: string };

const BEARER = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i;

/** Turns an `Authorization` value into a principal, or into the error the client should see. */
export async function authenticate(authorization: unknown, verifyAccessToken: VerifyAccessToken, requestedTenant?: string): Promise<Authentication> {
  if (typeof authorization !== 'string' || authorization.length === 0) {
    return { ok: false, code: 'UNAUTHENTICATED', message: GATEWAY_ERRORS.definitions.UNAUTHENTICATED.message };
  }
  const token = BEARER.exec(authorization.trim())?.[1];
  if (!token) return { ok: false, code: 'UNAUTHENTICATED', message: 'The Authorization header must be "Bearer <access token>".' };
  try {
    return { ok: true, principal: await verifyAccessToken(token, requestedTenant), token };
  } catch (error) {
    if (error instanceof CallerRefusedError) return { ok: false, code: error.code, message: error.message };
    const code = (error as { code?: unknown }).code;
    // @switchyard/db's DatabaseError: the members or API key lookup could not reach Postgres. Retryable,
    // never UNAUTHENTICATED (which is final: the console would sign the person out).
    if (code === 'DATABASE_UNAVAILABLE') {
      return { ok: false, code: 'SERVICE_UNAVAILABLE', message: 'The database is unreachable right now, so the caller could not be looked up; retry shortly.' };
    }
    if (code === 'IDENTITY_PROVIDER_UNAVAILABLE') {
      return { ok: false, code: 'IDENTITY_PROVIDER_UNAVAILABLE', message: GATEWAY_ERRORS.definitions.IDENTITY_PROVIDER_UNAVAILABLE.message };
    }
    // The verifier's messages say what is wrong (expired, wrong audience, …) without revealing secrets.
    const message = code === 'UNAUTHENTICATED' && error instanceof Error ? error.message : GATEWAY_ERRORS.definitions.UNAUTHENTICATED.message;
    return { ok: false, code: 'UNAUTHENTICATED', message };
  }
}

/** `exp` of an already verified JWT, in epoch ms; undefined when it has none. */
export function tokenExpiresAt(token: string): number | undefined {
  // An API key is not a JWT: no parse (and no thrown exception) per socket.
  if (token.split('.').length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

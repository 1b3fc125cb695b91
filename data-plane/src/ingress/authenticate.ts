import { hashApiKeySecret } from '@switchyard/identity';
import { ApiError } from '../errors';
import { apiKeyStatus, type ApiKeyRecord, type ApiKeyResolver } from '@switchyard/identity/api-keys';
import { authenticateAccessToken, type AccessTokenAuthentication } from './access-token';

/** Who is calling: an API key, or a person with an OIDC access token. Both act inside one tenant. */
export interface AuthenticatedCaller {
  kind: 'api_key' | 'user';
  /** Names the caller for per-caller limits and as the policy principal: the key's id, or `user:<sub>`. */
  callerId: string;
  /** The audit actor: `api-key:<id>` or `user:<sub>`. */
  actor: string;
  /** The key's id; null for people (usage events name the key that paid). */
  apiKeyId: string | null;
  tenantId: string;
  scopes: readonly string[];
}

/** Every authenticated caller (the name predates OIDC callers). */
export type AuthenticatedKey = AuthenticatedCaller;

export interface CallerAuthentication {
  apiKeys: ApiKeyResolver;
  /** Absent: only API keys are accepted. */
  accessTokens?: AccessTokenAuthentication;
  /** Told about every key that authenticated (last-used tracking); must not do I/O inline. */
  onApiKeyUsed?: (apiKeyId: string) => void;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** Longer than any real secret; stops hashing megabytes of header junk. */
const MAX_SECRET_LENGTH = 256;
const API_KEY_PREFIX = 'sk-sy-';
/** A JWS compact serialization starts with a base64url JSON header: `{"` encodes to `eyJ`. */
const JWT_PREFIX = 'eyJ';

function bearerOf(authorization: string | undefined, accessTokens: boolean): string {
  const expected = accessTokens ? '`Bearer sk-sy-...` or `Bearer <access token>`' : '`Bearer sk-sy-...`';
  if (!authorization) throw new ApiError('missing_api_key', accessTokens ? { message: `No credentials provided. Send ${expected} in the Authorization header.` } : {});
  const token = BEARER.exec(authorization)?.[1];
  if (!token) throw new ApiError('missing_api_key', { message: `The Authorization header must be ${expected}.` });
  return token;
}

/**
 * A 401 for a real key that may no longer be used (revoked, expired). The caller sent that key's
 * actual secret, so its tenant is known and may be trusted: the request log records the refusal
 * in that tenant's log (a client still using an old key is worth seeing), where a wrong or
 * missing key is only counted.
 */
export class KnownKeyRefusedError extends ApiError {
  readonly tenantId: string;
  readonly apiKeyId: string;

  constructor(code: 'api_key_revoked' | 'invalid_api_key', record: Pick<ApiKeyRecord, 'id' | 'tenantId'>, message?: string) {
    super(code, message === undefined ? {} : { message });
    this.tenantId = record.tenantId;
    this.apiKeyId = record.id;
  }
}

/** Authorization header → the key's tenant, or a 401 ApiError saying exactly what is wrong. */
export async function authenticateApiKey(authorization: string | undefined, resolver: ApiKeyResolver, now: Date = new Date()): Promise<AuthenticatedCaller> {
  return apiKeyCaller(bearerOf(authorization, false), resolver, now);
}

async function apiKeyCaller(secret: string, resolver: ApiKeyResolver, now: Date): Promise<AuthenticatedCaller> {
  if (secret.length > MAX_SECRET_LENGTH || !secret.startsWith(API_KEY_PREFIX)) throw new ApiError('invalid_api_key');
  const record: ApiKeyRecord | null = await resolver.resolve(hashApiKeySecret(secret));
  if (!record) throw new ApiError('invalid_api_key');
  const status = apiKeyStatus(record, now);
  if (status === 'revoked') throw new KnownKeyRefusedError('api_key_revoked', record);
  if (status === 'expired') throw new KnownKeyRefusedError('invalid_api_key', record, 'The API key has expired. Create a new key in the console.');
  return { kind: 'api_key', callerId: record.id, actor: `api-key:${record.id}`, apiKeyId: record.id, tenantId: record.tenantId, scopes: record.scopes };
}

/**
 * API key or OIDC access token, told apart by the first characters alone (`sk-sy-` vs a JWS
 * header), so neither path pays for the other. `tenantHeader` may pick one of a person's tenants.
 */
export async function authenticateCaller(
  authorization: string | undefined,
  tenantHeader: string | string[] | undefined,
  auth: CallerAuthentication,
  now: Date = new Date(),
): Promise<AuthenticatedCaller> {
  const token = bearerOf(authorization, auth.accessTokens !== undefined);
  if (auth.accessTokens && !token.startsWith(API_KEY_PREFIX)) {
    if (!token.startsWith(JWT_PREFIX)) throw new ApiError('invalid_token');
    return authenticateAccessToken(token, typeof tenantHeader === 'string' ? tenantHeader : undefined, auth.accessTokens);
  }
  const caller = await apiKeyCaller(token, auth.apiKeys, now);
  auth.onApiKeyUsed?.(caller.callerId);
  return caller;
}

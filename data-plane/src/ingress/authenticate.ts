import { hashApiKeySecret } from '@switchyard/identity';
import { ApiError } from '../errors';
import type { ApiKeyRecord, ApiKeyResolver } from './api-keys';

export interface AuthenticatedKey {
  apiKeyId: string;
  tenantId: string;
  scopes: readonly string[];
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** Longer than any real secret; stops hashing megabytes of header junk. */
const MAX_SECRET_LENGTH = 256;

/** Authorization header → the key's tenant, or a 401 ApiError saying exactly what is wrong. */
export async function authenticateApiKey(
  authorization: string | undefined,
  resolver: ApiKeyResolver,
  now: Date = new Date(),
): Promise<AuthenticatedKey> {
  if (!authorization) throw new ApiError('missing_api_key');
  const secret = BEARER.exec(authorization)?.[1];
  if (!secret) throw new ApiError('missing_api_key', { message: 'The Authorization header must be `Bearer sk-sy-...`.' });
  if (secret.length > MAX_SECRET_LENGTH || !secret.startsWith('sk-sy-')) throw new ApiError('invalid_api_key');
  const record: ApiKeyRecord | null = await resolver.resolve(hashApiKeySecret(secret));
  if (!record) throw new ApiError('invalid_api_key');
  if (record.revokedAt && record.revokedAt.getTime() <= now.getTime()) throw new ApiError('api_key_revoked');
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) {
    throw new ApiError('invalid_api_key', { message: 'The API key has expired. Create a new key in the console.' });
  }
  return { apiKeyId: record.id, tenantId: record.tenantId, scopes: record.scopes };
}

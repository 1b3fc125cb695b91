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

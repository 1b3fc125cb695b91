/**
 * Authenticated encryption of small JSON values for cookies: AES-256-GCM with a key derived
 * (HKDF-SHA-256) from the session secret and a purpose label, so a sealed login-state cookie can
 * never be replayed as a session cookie. Format: `v1.<iv>.<ciphertext+tag>` (base64url).
 */
const VERSION = 'v1';
const IV_BYTES = 12;
/** Cookies are limited to ~4 KiB by browsers; refuse to parse anything much larger. */
export const MAX_SEALED_LENGTH = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const keyCache = new Map<string, Promise<CryptoKey>>();

function deriveKey(secret: string, purpose: string): Promise<CryptoKey> {
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = (async () => {
      const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
      return crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('switchyard-console'), info: encoder.encode(purpose) },
        material,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      );
    })();
    keyCache.set(cacheKey, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64url');
  const bytes = new Uint8Array(new ArrayBuffer(decoded.length));
  bytes.set(decoded);
  return bytes;
}

export async function seal(value: unknown, secret: string, purpose: string): Promise<string> {
  const key = await deriveKey(secret, purpose);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = encoder.encode(JSON.stringify(value));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(VERSION) }, key, plaintext),
  );
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(ciphertext)}`;
}

/**
 * Returns the sealed JSON value, or `undefined` for anything that is not an intact value sealed
 * with this secret and purpose (tampered, truncated, foreign, oversized). Never throws.
 */
export async function unseal(sealed: string, secret: string, purpose: string): Promise<unknown> {
  if (sealed.length > MAX_SEALED_LENGTH) return undefined;
  const [version, ivText, ciphertextText, ...rest] = sealed.split('.');
  if (version !== VERSION || ivText === undefined || ciphertextText === undefined || rest.length > 0) return undefined;
  const iv = fromBase64Url(ivText);
  const ciphertext = fromBase64Url(ciphertextText);
  if (!iv || iv.length !== IV_BYTES || !ciphertext || ciphertext.length < 16) return undefined;
  try {
    const key = await deriveKey(secret, purpose);
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(VERSION) },
      key,
      ciphertext,
    );
    return JSON.parse(decoder.decode(plaintext)) as unknown;
  } catch {
    return undefined;
  }
}

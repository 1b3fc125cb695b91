/**
 * The port to whatever holds the master keys (a local config-backed implementation here; a
 * cloud KMS later). It only ever sees data keys, never tenant secrets.
 */
export interface WrappedKey {
  /** Which master key wrapped it, so rotation can keep old keys for unwrapping. */
  keyId: string;
  /** Opaque to callers (base64url). */
  wrapped: string;
}

export interface KeyManagementService {
  /** The master key new wraps use; envelopes under any other key are due for `rewrap`. */
  readonly activeKeyId: string;
  wrap(dataKey: Uint8Array): Promise<WrappedKey>;
  /** Throws KeyUnavailableError for a retired/unknown key, KeyIntegrityError when tampered. */
  unwrap(wrapped: WrappedKey): Promise<Uint8Array>;
}

export class KeyUnavailableError extends Error {
  readonly code = 'master_key_unavailable';
  constructor(keyId: string) {
    super(`master key '${keyId}' is not configured (retired before every envelope was rewrapped?)`);
    this.name = 'KeyUnavailableError';
  }
}

/** Authentication failed: wrong key, wrong context (tenant) or tampered bytes. */
export class KeyIntegrityError extends Error {
  readonly code = 'envelope_integrity';
  constructor(what: string) {
    super(`${what} failed authentication: tampered, or decrypted for the wrong tenant/context`);
    this.name = 'KeyIntegrityError';
  }
}

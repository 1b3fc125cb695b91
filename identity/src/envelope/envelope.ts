import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AES_256_KEY_BYTES, open, seal } from './aes-gcm';
import type { KeyManagementService, WrappedKey } from './key-management-service';

/**
 * Envelope encryption: each tenant's secrets are sealed with that tenant's data key, and only
 * the wrapped data key is stored beside them. The context (tenant, purpose) is authenticated, so
 * an envelope copied to another tenant's row refuses to decrypt.
 */
export const envelopeSchema = z.object({
  v: z.literal(1),
  keyId: z.string().min(1),
  wrappedKey: z.string().min(1),
  /** base64url of iv | tag | ciphertext. */
  sealed: z.string().min(1),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export interface EnvelopeContext {
  tenantId: string;
  /** What the secret is, e.g. `provider:openai` — stops swapping envelopes within a tenant. */
  purpose?: string;
}

export interface EnvelopeCipher {
  encrypt(plaintext: string | Uint8Array, context: EnvelopeContext): Promise<Envelope>;
  decrypt(envelope: Envelope, context: EnvelopeContext): Promise<Buffer>;
  /** The same ciphertext with its data key rewrapped under the KMS's active master key. */
  rewrap(envelope: Envelope): Promise<Envelope>;
}

function contextBytes(context: EnvelopeContext): Buffer {
  return Buffer.from(JSON.stringify(['switchyard-envelope-v1', context.tenantId, context.purpose ?? '']), 'utf8');
}

export function createEnvelope(kms: KeyManagementService): EnvelopeCipher {
  // One data key per tenant, reused for its writes (one KMS call per tenant, not per secret).
  // Rewrapped when the active master key changes so new envelopes never use a retiring key.
  const dataKeys = new Map<string, Promise<{ key: Uint8Array; wrapped: WrappedKey }>>();

  async function dataKeyFor(tenantId: string): Promise<{ key: Uint8Array; wrapped: WrappedKey }> {
    const cached = dataKeys.get(tenantId);
    if (cached) {
      const entry = await cached;
      if (entry.wrapped.keyId === kms.activeKeyId) return entry;
    }
    const pending = (async () => {
      const key = randomBytes(AES_256_KEY_BYTES);
      return { key, wrapped: await kms.wrap(key) };
    })();
    dataKeys.set(tenantId, pending);
    pending.catch(() => dataKeys.delete(tenantId));
    return pending;
  }

  return {
    async encrypt(plaintext, context) {
      const { key, wrapped } = await dataKeyFor(context.tenantId);
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      return { v: 1, keyId: wrapped.keyId, wrappedKey: wrapped.wrapped, sealed: seal(key, bytes, contextBytes(context)).toString('base64url') };
    },
    async decrypt(input, context) {
      const envelope = envelopeSchema.parse(input);
      const key = await kms.unwrap({ keyId: envelope.keyId, wrapped: envelope.wrappedKey });
      return open(key, Buffer.from(envelope.sealed, 'base64url'), contextBytes(context), 'envelope');
    },
    async rewrap(input) {
      const envelope = envelopeSchema.parse(input);
      if (envelope.keyId === kms.activeKeyId) return envelope;
      const key = await kms.unwrap({ keyId: envelope.keyId, wrapped: envelope.wrappedKey });
      const wrapped = await kms.wrap(key);
      return { ...envelope, keyId: wrapped.keyId, wrappedKey: wrapped.wrapped };
    },
  };
}

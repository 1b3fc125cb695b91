import { z } from 'zod';
import { idSchema } from './tenant-inputs';

/** Provider names as configured in the data plane (`ProviderConfig.name`). */
export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const providerSchema = z.string().regex(PROVIDER_NAME_PATTERN, 'Use the provider name as configured: 1-64 lower-case letters, digits, dots, dashes or underscores.');

/** API keys and signing secrets: printable ASCII without spaces, bounded. */
const secretSchema = (min: number) =>
  z
    .string()
    .min(min, `Must be at least ${min} characters.`)
    .max(4096, 'Use at most 4096 characters.')
    .regex(/^[\x21-\x7e]+$/, 'Use printable ASCII without spaces or line breaks.');

export const setProviderCredentialInputSchema = z.object({ tenantId: idSchema, provider: providerSchema, secret: secretSchema(8) });
export const deleteProviderCredentialInputSchema = z.object({ tenantId: idSchema, provider: providerSchema });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https anywhere, http only to loopback (local development); never credentials in the URL. */
export const webhookUrlSchema = z
  .string()
  .max(2048, 'Use at most 2048 characters.')
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Must be an absolute URL.' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      ctx.addIssue({ code: 'custom', message: 'Must be https (http only to localhost).' });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'Must not carry a user name or password; the signing secret authenticates the call.' });
      return z.NEVER;
    }
    return url.toString();
  });

export const setAlertWebhookInputSchema = z.object({ tenantId: idSchema, url: webhookUrlSchema, secret: secretSchema(16).nullish() });

/** What callers send; validated by the schemas above in the service. */
export interface SetProviderCredentialInput {
  tenantId: string;
  provider: string;
  secret: string;
}
export interface DeleteProviderCredentialInput {
  tenantId: string;
  provider: string;
}
export interface SetAlertWebhookInput {
  tenantId: string;
  url: string;
  secret?: string | null | undefined;
}

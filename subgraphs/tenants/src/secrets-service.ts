import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import type { AlertEvent } from '@switchyard/events/alerts';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage } from '@switchyard/events/tenants';
import type { Database } from '@switchyard/db';
import { createSecretVault, type SecretVault } from '@switchyard/db/secret-vault';
import type { KeyManagementService } from '@switchyard/identity/envelope';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canManageSecrets, canReadTenant } from './authorization';
import { forbidden, notConfigured, notFound, webhookAddressRefused } from './errors';
import type { Logger } from './logger';
import { parseInput } from './parse-input';
import {
  deleteProviderCredentialInputSchema,
  setAlertWebhookInputSchema,
  setProviderCredentialInputSchema,
  type DeleteProviderCredentialInput,
  type SetAlertWebhookInput,
  type SetProviderCredentialInput,
} from './secret-inputs';
import type { AlertWebhook, ProviderCredential } from './secret-types';
import { deliverAlert } from './alert-webhook-dispatcher';
import { createWebhookAddressPolicy, literalAddressOf, type WebhookAddressPolicy } from './webhook-address-policy';
import { createGuardedWebhookPost, type WebhookPost } from './webhook-transport';
import { idSchema } from './tenant-inputs';

/**
 * Tenant secrets: provider credentials (used by the data plane instead of the provider's own
 * key) and the alert webhook's signing secret. Write-only through the API: reads return
 * metadata (last four characters, timestamps). Setting takes tenant_admin of the tenant (or
 * platform_admin); any member may list the metadata. Every change is audited (without the
 * secret) and announced key-only on `provider-credentials.changed` so data planes reload.
 */
export interface SecretsService {
  setProviderCredential(input: SetProviderCredentialInput, principal: Principal): Promise<ProviderCredential>;
  /** Idempotent: `deleted` is false when there was nothing to delete. */
  deleteProviderCredential(input: DeleteProviderCredentialInput, principal: Principal): Promise<{ provider: string; deleted: boolean }>;
  listProviderCredentials(tenantId: string, principal: Principal): Promise<ProviderCredential[]>;
  /** `generatedSecret` is set only when the caller sent no secret: returned this once, never again. */
  setAlertWebhook(input: SetAlertWebhookInput, principal: Principal): Promise<{ webhook: AlertWebhook; generatedSecret: string | null }>;
  alertWebhook(tenantId: string, principal: Principal): Promise<AlertWebhook | null>;
  /** Sends a `webhook.test` alert to the tenant's webhook now (one try) and says how it went. */
  sendTestAlert(tenantId: string, principal: Principal): Promise<TestAlertResult>;
  close(): Promise<void>;
}

export interface TestAlertResult {
  alertId: string;
  delivered: boolean;
  /** `HTTP <status>`, `no answer within 5000 ms` or `the webhook could not be reached` (never the network detail). */
  outcome: string;
}

export interface SecretsServiceDeps {
  db: Database;
  bus: Bus;
  /** Master keys (KMS port). Absent: secret operations answer NOT_CONFIGURED. */
  kms?: KeyManagementService;
  logger: Logger;
  now?: () => Date;
  /** Which addresses webhooks may reach (default: public addresses only), checked when the URL is saved and on every connection. */
  addressPolicy?: WebhookAddressPolicy;
  /** How the test alert is sent (default: the guarded undici transport under `addressPolicy`, no redirects). */
  postWebhook?: WebhookPost;
}

const TEST_ALERT_TIMEOUT_MS = 5_000;

const MANAGE_MESSAGE = 'Only a tenant admin of this tenant (or a platform admin) may manage its secrets.';

export function createSecretsService(deps: SecretsServiceDeps): SecretsService {
  const vault: SecretVault | null = deps.kms ? createSecretVault({ db: deps.db, kms: deps.kms }) : null;
  const now = deps.now ?? (() => new Date());
  const addressPolicy = deps.addressPolicy ?? createWebhookAddressPolicy();
  const guardedPost = deps.postWebhook ? null : createGuardedWebhookPost({ policy: addressPolicy });
  const postWebhook = deps.postWebhook ?? guardedPost!;

  function requireVault(): SecretVault {
    if (!vault) throw notConfigured('This deployment has no master key configured, so it cannot store secrets (set SWITCHYARD_MASTER_KEYS).');
    return vault;
  }

  async function requireTenant(tenantId: string): Promise<void> {
    const exists = await deps.db.withPlatform((tx) => tx.tenant.count({ where: { id: tenantId } }));
    if (exists === 0) throw notFound(`No tenant ${tenantId} is visible to you.`);
  }

  async function audit(event: Omit<AuditEventInput, 'subjectId' | 'dataClassification' | 'actor' | 'occurredAt'>, principal: Principal): Promise<void> {
    const full: AuditEventInput = { ...event, actor: auditActor(principal), subjectId: principal.subject, dataClassification: 'confidential', occurredAt: now().toISOString() };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(full));
  }

  async function announce(tenantId: string): Promise<void> {
    // The write is committed; a lost announcement only delays replicas until their next start.
    await deps.bus.publish(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage(tenantId)).catch((error: unknown) => {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error), tenantId }, 'could not publish provider-credentials.changed');
    });
  }

  return {
    async setProviderCredential(input, principal) {
      const valid = parseInput(setProviderCredentialInputSchema, input, 'input');
      if (!canManageSecrets(principal, valid.tenantId)) throw forbidden(MANAGE_MESSAGE);
      const secrets = requireVault();
      await requireTenant(valid.tenantId);
      const { credential, outcome } = await secrets.setProviderCredential(valid.tenantId, valid.provider, valid.secret);
      if (outcome !== 'unchanged') {
        const version = (credential.rotatedAt ?? credential.createdAt).toISOString();
        await audit(
          { idempotencyKey: `provider_credential.set:${credential.id}:${version}`, tenantId: valid.tenantId, action: 'provider_credential.set', payload: { provider: valid.provider, outcome } },
          principal,
        );
        await announce(valid.tenantId);
      }
      return credential;
    },

    async deleteProviderCredential(input, principal) {
      const valid = parseInput(deleteProviderCredentialInputSchema, input, 'input');
      if (!canManageSecrets(principal, valid.tenantId)) throw forbidden(MANAGE_MESSAGE);
      const secrets = requireVault();
      await requireTenant(valid.tenantId);
      const removed = await secrets.deleteProviderCredential(valid.tenantId, valid.provider);
      if (removed) {
        await audit(
          { idempotencyKey: `provider_credential.delete:${removed.id}`, tenantId: valid.tenantId, action: 'provider_credential.delete', payload: { provider: valid.provider } },
          principal,
        );
        await announce(valid.tenantId);
      }
      return { provider: valid.provider, deleted: removed !== null };
    },

    async listProviderCredentials(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      if (!canReadTenant(principal, validId)) throw forbidden('You may only list the provider credentials of your own tenant.');
      return vault ? vault.listProviderCredentials(validId) : [];
    },

    async setAlertWebhook(input, principal) {
      const valid = parseInput(setAlertWebhookInputSchema, input, 'input');
      if (!canManageSecrets(principal, valid.tenantId)) throw forbidden(MANAGE_MESSAGE);
      // An IP literal (in any spelling: the URL parser normalised it) is judged now; a host name
      // is judged on every connection, when it is resolved.
      const literal = literalAddressOf(new URL(valid.url));
      if (literal !== null && !addressPolicy.allows(literal)) throw webhookAddressRefused('input.url');
      const secrets = requireVault();
      await requireTenant(valid.tenantId);
      const generatedSecret = valid.secret ? null : `whsec_${randomBytes(32).toString('base64url')}`;
      const { webhook, outcome } = await secrets.setAlertWebhook(valid.tenantId, valid.url, valid.secret ?? generatedSecret!);
      if (outcome !== 'unchanged') {
        await audit(
          {
            idempotencyKey: `alert_webhook.set:${valid.tenantId}:${webhook.updatedAt.toISOString()}`,
            tenantId: valid.tenantId,
            action: 'alert_webhook.set',
            // The origin only: a path or query may itself carry a token.
            payload: { origin: new URL(valid.url).origin, secretGenerated: generatedSecret !== null, outcome },
          },
          principal,
        );
      }
      return { webhook, generatedSecret };
    },

    async alertWebhook(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      if (!canReadTenant(principal, validId)) throw forbidden('You may only see the alert webhook of your own tenant.');
      return vault ? vault.alertWebhook(validId) : null;
    },

    async sendTestAlert(tenantId, principal) {
      const validId = parseInput(idSchema, tenantId, 'tenantId');
      if (!canManageSecrets(principal, validId)) throw forbidden('Only a tenant admin of this tenant (or a platform admin) may send a test alert.');
      const secrets = requireVault();
      await requireTenant(validId);
      const webhook = await secrets.revealAlertWebhook(validId);
      if (!webhook) throw notFound('This tenant has no alert webhook: set one first.');
      const alert: AlertEvent = {
        id: `webhook-test:${randomUUID()}`,
        type: 'webhook.test',
        tenantId: validId,
        occurredAt: now().toISOString(),
        data: { requestedBy: auditActor(principal) },
      };
      // One try, answered at once: the admin is waiting for the result.
      const result = await deliverAlert(alert, webhook, { attempts: 1, retryDelaysMs: [], timeoutMs: TEST_ALERT_TIMEOUT_MS, post: postWebhook, now, logger: deps.logger });
      await audit(
        { idempotencyKey: `alert_webhook.test:${alert.id}`, tenantId: validId, action: 'alert_webhook.test', payload: { origin: new URL(webhook.url).origin, delivered: result.delivered, outcome: result.outcome } },
        principal,
      );
      if (result.refusedByPolicy) throw webhookAddressRefused();
      return { alertId: alert.id, delivered: result.delivered, outcome: result.outcome };
    },

    async close() {
      await guardedPost?.close();
    },
  };
}

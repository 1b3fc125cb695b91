import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The provider credentials & alerts page's GraphQL operations (tenants subgraph). Same shape as
 * `operations.ts`; listed in CONSOLE_OPERATIONS so they are validated and persisted with the rest.
 * Secrets only travel browser → API: no operation here selects one back, except the webhook
 * secret the API generates, which it returns exactly once.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

const providerCredentialSchema = z.object({
  id: z.string(),
  provider: z.string(),
  last4: z.string(),
  createdAt: z.string(),
  rotatedAt: z.string().nullable(),
});
export type ProviderCredential = z.infer<typeof providerCredentialSchema>;

const alertWebhookSchema = z.object({ url: z.string(), secretLast4: z.string(), createdAt: z.string(), updatedAt: z.string() });
export type AlertWebhook = z.infer<typeof alertWebhookSchema>;

const secretsViewerSchema = z.object({ roles: z.array(z.string()), tenantId: z.string().nullable() });
export type SecretsViewer = z.infer<typeof secretsViewerSchema>;

const CREDENTIAL_FIELDS = 'id provider last4 createdAt rotatedAt';
const WEBHOOK_FIELDS = 'url secretLast4 createdAt updatedAt';

const tenantSecretsSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  providerCredentials: z.array(providerCredentialSchema),
  alertWebhook: alertWebhookSchema.nullable(),
});
export type TenantSecrets = z.infer<typeof tenantSecretsSchema>;

/** With the caller's roles, so the page can hide controls the API would refuse anyway. */
export const tenantSecretsQuery = operation<{ tenant: TenantSecrets | null; viewer: SecretsViewer }, { slug: string }>(
  'ConsoleTenantSecrets',
  `query ConsoleTenantSecrets($slug: String!) {
  tenant(slug: $slug) { id slug name providerCredentials { ${CREDENTIAL_FIELDS} } alertWebhook { ${WEBHOOK_FIELDS} } }
  viewer { roles tenantId }
}`,
  z.object({ tenant: tenantSecretsSchema.nullable(), viewer: secretsViewerSchema }),
);

export const setProviderCredentialMutation = operation<
  { setProviderCredential: ProviderCredential },
  { input: { tenantId: string; provider: string; secret: string } }
>(
  'ConsoleSetProviderCredential',
  `mutation ConsoleSetProviderCredential($input: SetProviderCredentialInput!) { setProviderCredential(input: $input) { ${CREDENTIAL_FIELDS} } }`,
  z.object({ setProviderCredential: providerCredentialSchema }),
);

export const deleteProviderCredentialMutation = operation<
  { deleteProviderCredential: { provider: string; deleted: boolean } },
  { input: { tenantId: string; provider: string } }
>(
  'ConsoleDeleteProviderCredential',
  `mutation ConsoleDeleteProviderCredential($input: DeleteProviderCredentialInput!) { deleteProviderCredential(input: $input) { provider deleted } }`,
  z.object({ deleteProviderCredential: z.object({ provider: z.string(), deleted: z.boolean() }) }),
);

/** Without `secret` the API generates one and returns it as `generatedSecret`, this once. */
export const setAlertWebhookMutation = operation<
  { setAlertWebhook: { webhook: AlertWebhook; generatedSecret: string | null } },
  { input: { tenantId: string; url: string; secret?: string | null } }
>(
  'ConsoleSetAlertWebhook',
  `mutation ConsoleSetAlertWebhook($input: SetAlertWebhookInput!) { setAlertWebhook(input: $input) { webhook { ${WEBHOOK_FIELDS} } generatedSecret } }`,
  z.object({ setAlertWebhook: z.object({ webhook: alertWebhookSchema, generatedSecret: z.string().nullable() }) }),
);

const testAlertResultSchema = z.object({ alertId: z.string(), delivered: z.boolean(), outcome: z.string() });
export type TestAlertResult = z.infer<typeof testAlertResultSchema>;

/** One signed `webhook.test` alert, sent now; the answer says how the webhook responded. */
export const sendTestAlertMutation = operation<{ sendTestAlert: TestAlertResult }, { tenantId: string }>(
  'ConsoleSendTestAlert',
  `mutation ConsoleSendTestAlert($tenantId: ID!) { sendTestAlert(tenantId: $tenantId) { alertId delivered outcome } }`,
  z.object({ sendTestAlert: testAlertResultSchema }),
);

export const SECRET_OPERATIONS = [tenantSecretsQuery, setProviderCredentialMutation, deleteProviderCredentialMutation, setAlertWebhookMutation, sendTestAlertMutation] as const;

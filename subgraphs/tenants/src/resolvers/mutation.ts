import type { TenantsContext } from '../context';
import type { AddMemberInput } from '../member-inputs';
import type { Member } from '../member-types';
import type { DeleteProviderCredentialInput, SetAlertWebhookInput, SetProviderCredentialInput } from '../secret-inputs';
import type { AlertWebhook, ProviderCredential } from '../secret-types';
import type { TestAlertResult } from '../secrets-service';
import type { UpdateTenantSettingsInput } from '../settings-inputs';
import type { TenantSettingsRecord } from '../settings-types';
import type { ApiKey, Tenant } from '../tenant-types';

interface CreateApiKeyArgs {
  input: { tenantId: string; name: string; scopes?: string[] | null; expiresAt?: Date | null };
}

export const mutationResolvers = {
  createTenant: (_parent: unknown, args: { input: { slug: string; name: string } }, { service, principal }: TenantsContext): Promise<Tenant> =>
    service.createTenant({ slug: args.input.slug, name: args.input.name }, principal),
  createApiKey: (_parent: unknown, { input }: CreateApiKeyArgs, { service, principal }: TenantsContext): Promise<{ apiKey: ApiKey; secret: string }> =>
    service.createApiKey({ tenantId: input.tenantId, name: input.name, scopes: input.scopes, expiresAt: input.expiresAt }, principal),
  revokeApiKey: (_parent: unknown, args: { id: string }, { service, principal }: TenantsContext): Promise<ApiKey> =>
    service.revokeApiKey(args.id, principal),
  addMember: (_parent: unknown, { input }: { input: AddMemberInput }, { members, principal }: TenantsContext): Promise<Member> =>
    members.addMember({ tenantId: input.tenantId, subject: input.subject, email: input.email, role: input.role }, principal),
  changeMemberRole: (_parent: unknown, args: { id: string; role: string }, { members, principal }: TenantsContext): Promise<Member> =>
    members.changeMemberRole(args.id, args.role, principal),
  removeMember: (_parent: unknown, args: { id: string }, { members, principal }: TenantsContext): Promise<Member> => members.removeMember(args.id, principal),
  setProviderCredential: (_parent: unknown, { input }: { input: SetProviderCredentialInput }, { secrets, principal }: TenantsContext): Promise<ProviderCredential> =>
    secrets.setProviderCredential(input, principal),
  deleteProviderCredential: (_parent: unknown, { input }: { input: DeleteProviderCredentialInput }, { secrets, principal }: TenantsContext): Promise<{ provider: string; deleted: boolean }> =>
    secrets.deleteProviderCredential(input, principal),
  setAlertWebhook: (_parent: unknown, { input }: { input: SetAlertWebhookInput }, { secrets, principal }: TenantsContext): Promise<{ webhook: AlertWebhook; generatedSecret: string | null }> =>
    secrets.setAlertWebhook(input, principal),
  sendTestAlert: (_parent: unknown, args: { tenantId: string }, { secrets, principal }: TenantsContext): Promise<TestAlertResult> => secrets.sendTestAlert(args.tenantId, principal),
  updateTenantSettings: (_parent: unknown, { input }: { input: UpdateTenantSettingsInput }, { settings, principal }: TenantsContext): Promise<TenantSettingsRecord> =>
    settings.update(input, principal),
};

import type { SecretsViewer } from './secret-operations';

/**
 * What the provider credentials & alerts page may offer the signed-in person. Mirrors the tenants
 * subgraph's rule (a tenant admin of this tenant, or a platform admin, may change secrets; every
 * member may read their metadata) only to hide controls: the API enforces it regardless.
 */
export type SecretsAccess = { canManage: true } | { canManage: false; reason: string };

export function secretsAccess(viewer: SecretsViewer, tenantId: string): SecretsAccess {
  if (viewer.roles.includes('platform_admin')) return { canManage: true };
  if (viewer.tenantId === tenantId && viewer.roles.includes('tenant_admin')) return { canManage: true };
  const role = viewer.tenantId === tenantId ? viewer.roles[0] : undefined;
  return {
    canManage: false,
    reason: `You are signed in as ${role ? `a ${role.replace('_', ' ')}` : 'someone without a role'} of this tenant: you can see which secrets are set, but only a tenant admin (or a platform admin) can change them.`,
  };
}

/** A stored secret as the page shows it: its last four characters at most, never more. */
export function maskedSecret(last4: string): string {
  // The API sends no last4 for secrets too short to reveal any of them safely.
  return last4 === '' ? '••••••••' : `••••${last4}`;
}

/** A tenant's provider credential as the API shows it: never the secret. */
export interface ProviderCredential {
  id: string;
  tenantId: string;
  provider: string;
  last4: string;
  createdAt: Date;
  rotatedAt: Date | null;
}

export interface AlertWebhook {
  tenantId: string;
  url: string;
  secretLast4: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a tenant admin may grant a new API key. `inference` is for the OpenAI-compatible data plane;
 * the admin scopes let an integration call the GraphQL API for this tenant (read as a viewer, or
 * read and change as a tenant admin; never as a platform admin).
 */
export const API_KEY_SCOPE_CHOICES = [
  { scope: 'inference', label: 'Inference', hint: 'Chat completions, model list and feedback on the OpenAI-compatible API.' },
  { scope: 'admin:read', label: 'Admin: read', hint: 'Query this tenant through the GraphQL API, as a viewer.' },
  { scope: 'admin:write', label: 'Admin: write', hint: 'Query and change this tenant through the GraphQL API, as a tenant admin.' },
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPE_CHOICES)[number]['scope'];

export const DEFAULT_API_KEY_SCOPE_SELECTION: readonly ApiKeyScope[] = ['inference'];

/** The chosen scopes in a stable order, or the sentence the form shows when none is chosen. */
export function scopeSelection(selected: ReadonlySet<string>): { ok: true; value: ApiKeyScope[] } | { ok: false; message: string } {
  const scopes = API_KEY_SCOPE_CHOICES.map((choice) => choice.scope).filter((scope) => selected.has(scope));
  if (scopes.length === 0) return { ok: false, message: 'Choose at least one scope: a key without one can do nothing.' };
  return { ok: true, value: scopes };
}

import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPE_CHOICES, scopeSelection } from './api-key-scopes';

describe('API key scope selection', () => {
  it('offers inference and the two admin scopes, and returns the chosen ones in a stable order', () => {
    expect(API_KEY_SCOPE_CHOICES.map((choice) => choice.scope)).toEqual(['inference', 'admin:read', 'admin:write']);
    expect(scopeSelection(new Set(['admin:write', 'inference']))).toEqual({ ok: true, value: ['inference', 'admin:write'] });
  });

  it('refuses an empty selection and ignores scopes it does not offer', () => {
    expect(scopeSelection(new Set())).toMatchObject({ ok: false });
    expect(scopeSelection(new Set(['platform_admin']))).toMatchObject({ ok: false });
  });
});

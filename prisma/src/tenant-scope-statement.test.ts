import { describe, expect, it } from 'vitest';
import { tenantScopeStatement } from './create-database';
import { DatabaseError } from './database';

describe('tenantScopeStatement', () => {
  it('puts a UUID in as a literal', () => {
    expect(tenantScopeStatement('0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f')).toBe(
      "SELECT set_config('role', 'switchyard_app', true), set_config('app.tenant_id', '0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f', true)",
    );
  });

  it('refuses anything that is not exactly a UUID (no quoting to get wrong)', () => {
    for (const hostile of [
      "0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f'; RESET ROLE; --",
      "' OR '1'='1",
      '0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f\n',
      ' 0b6f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f',
      '0b6f3c1e5d2a4c8e9f102a3b4c5d6e7f',
      '',
    ]) {
      expect(() => tenantScopeStatement(hostile)).toThrow(DatabaseError);
    }
  });
});

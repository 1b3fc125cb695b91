import { describe, expect, it } from 'vitest';
import { isEmptyMigration } from './schema-engine';

describe('isEmptyMigration', () => {
  it('treats comments and blank lines as empty', () => {
    expect(isEmptyMigration('')).toBe(true);
    expect(isEmptyMigration('-- This is an empty migration.\n\n')).toBe(true);
  });
  it('sees any statement', () => {
    expect(isEmptyMigration('-- AlterTable\nALTER TABLE "tenants" ADD COLUMN "plan" TEXT;\n')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { checkComposition } from './check';

const composed = { supergraphSdl: 'SUPERGRAPH\n', apiSchemaSdl: 'type Query { a: Int, b: String }\n' };
const current = { supergraphSdl: composed.supergraphSdl, apiSchemaSdl: composed.apiSchemaSdl };
const base = { baseName: 'origin/main', allowBreaking: false };

describe('compose:check', () => {
  it('passes when the files are current and the API only grew', async () => {
    const result = await checkComposition({ composed, onDisk: current, baseApiSchemaSdl: 'type Query { a: Int }', ...base });
    expect(result).toMatchObject({ ok: true, problems: [] });
  });

  it('fails when a generated file is stale or missing', async () => {
    const stale = await checkComposition({ composed, onDisk: { ...current, supergraphSdl: 'OLD\n' }, baseApiSchemaSdl: composed.apiSchemaSdl, ...base });
    expect(stale.ok).toBe(false);
    expect(stale.problems.join()).toMatch(/supergraph\.graphql is out of date.*npm run compose/);
    const missing = await checkComposition({ composed, onDisk: { ...current, apiSchemaSdl: undefined }, baseApiSchemaSdl: composed.apiSchemaSdl, ...base });
    expect(missing.problems.join()).toMatch(/api-schema\.graphql is out of date/);
  });

  it('fails on a breaking change versus the base, naming it, unless explicitly allowed', async () => {
    const baseApi = 'type Query { a: Int, b: String, c: Int }';
    const result = await checkComposition({ composed, onDisk: current, baseApiSchemaSdl: baseApi, ...base });
    expect(result.ok).toBe(false);
    expect(result.problems.join()).toMatch(/1 breaking API change.*origin\/main[\s\S]*Query\.c/);
    const allowed = await checkComposition({ composed, onDisk: current, baseApiSchemaSdl: baseApi, ...base, allowBreaking: true });
    expect(allowed.ok).toBe(true);
    expect(allowed.notes.join()).toMatch(/allowed by --allow-breaking/);
  });

  it('skips the breaking-change check when the base has no API schema yet', async () => {
    const result = await checkComposition({ composed, onDisk: current, baseApiSchemaSdl: undefined, ...base });
    expect(result.ok).toBe(true);
    expect(result.notes.join()).toMatch(/skipping/);
  });
});

import { readFileSync } from 'node:fs';
import { DP_ERRORS } from '@switchyard/subgraph-kit/errors';
import { describe, expect, it } from 'vitest';

describe('error codes', () => {
  it('are all in the README error table, and the table names no other DP_ code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(DP_[A-Z_]+)`/gm)].map((match) => match[1]));
    const codes = DP_ERRORS.codes.filter((code) => code.startsWith('DP_'));
    expect([...documented].sort()).toEqual(codes.sort());
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GRAPHQL_ERRORS } from '@switchyard/subgraph-kit/errors';
import { describe, expect, it } from 'vitest';
import { renderGraphQLErrorsMarkdown } from './errors-doc';

describe('GRAPHQL-ERRORS.md', () => {
  it('is generated from the registry (run `npm run -w @switchyard/supergraph errors:doc`)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../GRAPHQL-ERRORS.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderGraphQLErrorsMarkdown());
  });

  it('has one row per code, saying whether it is final and who produces it', () => {
    const rendered = renderGraphQLErrorsMarkdown();
    for (const code of GRAPHQL_ERRORS.codes) expect(rendered.match(new RegExp(`^\\| \`${code}\` \\|`, 'gm')), code).toHaveLength(1);
    expect(rendered).toMatch(/^\| `UNAUTHENTICATED` \| authentication \| 401 \| yes \| gateway, every subgraph \|/m);
    expect(rendered).toMatch(/^\| `SUBGRAPH_UNAVAILABLE` \| unavailable \| 503 \| no \| gateway \|/m);
    expect(rendered).toMatch(/^\| `LAST_ADMIN` \| state \| 409 \| yes \| tenants \|/m);
    expect(rendered).toMatch(/^\| `CONFLICT` \| state \| 409 \| yes \| experiments, policy, tenants \|/m);
  });
});

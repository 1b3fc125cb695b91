import { GRAPHQL_ERRORS } from '@switchyard/subgraph-kit/errors';

const GATEWAY = 'gateway';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** "gateway, every subgraph" rather than seven names. */
function describeProducers(producers: readonly string[], subgraphs: ReadonlySet<string>): string {
  const ownSubgraphs = producers.filter((producer) => producer !== GATEWAY);
  const names = ownSubgraphs.length === subgraphs.size ? ['every subgraph'] : ownSubgraphs;
  return [...(producers.includes(GATEWAY) ? [GATEWAY] : []), ...names].join(', ');
}

/** Renders GRAPHQL-ERRORS.md from the kit's registry; pure so the doc test can compare without touching disk. */
export function renderGraphQLErrorsMarkdown(): string {
  const definitions = GRAPHQL_ERRORS.codes.map((code) => [code, GRAPHQL_ERRORS.definitions[code]] as const);
  const subgraphs = new Set(definitions.flatMap(([, definition]) => definition.producers).filter((producer) => producer !== GATEWAY));
  const rows = definitions.map(([code, definition]) => {
    const fields = Object.entries(definition.fields ?? {})
      .map(([name, meaning]) => `\`${name}\`: ${meaning}`)
      .join('<br>');
    const cells = [`\`${code}\``, definition.kind, String(definition.httpStatus), definition.final ? 'yes' : 'no', describeProducers(definition.producers, subgraphs), fields, definition.description ?? definition.message];
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return [
    '# GraphQL API errors',
    '',
    '<!-- Generated from subgraphs/kit/src/errors/graphql-errors.ts by `npm run -w @switchyard/supergraph errors:doc`. Do not edit by hand. -->',
    '',
    'Every error of the GraphQL API (gateway and subgraphs) names a stable code in `extensions.code`; clients branch on it,',
    'the message is for people. The console and the gateway read these codes from the same registry',
    '(`@switchyard/subgraph-kit/errors`: `isFinal(code)`, `errorKindOf(code)`).',
    '',
    '- **final**: yes when sending the same request again, or keeping a subscription open, cannot succeed: change',
    '  something first (credentials, input, what is stored). The gateway ends a subscription on a final code. No: retry later.',
    '- **kind**: `authentication` (new credentials may help), `authorization`, `input`, `state` (what is stored refuses it),',
    '  `unavailable`, `internal` (masked: clients see `INTERNAL_SERVER_ERROR`, the details are logged).',
    '- **HTTP**: the status of an answer that fails as a whole with this code (no valid token, malformed request).',
    '  An error inside a GraphQL response, next to partial data, keeps 200.',
    '',
    '| code | kind | HTTP | final | produced by | extension fields | meaning |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

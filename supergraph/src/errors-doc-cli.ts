import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderGraphQLErrorsMarkdown } from './errors-doc';

const target = fileURLToPath(new URL('../GRAPHQL-ERRORS.md', import.meta.url));
writeFileSync(target, renderGraphQLErrorsMarkdown());
console.log(`wrote ${target}`);

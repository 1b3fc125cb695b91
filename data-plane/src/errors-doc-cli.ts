import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderErrorsMarkdown } from './errors-doc';

const target = fileURLToPath(new URL('../ERRORS.md', import.meta.url));
writeFileSync(target, renderErrorsMarkdown());
console.log(`wrote ${target}`);

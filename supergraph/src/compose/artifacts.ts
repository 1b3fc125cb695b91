import { fileURLToPath } from 'node:url';

/** Generated and committed: the gateway reads the first, the breaking-change check reads the second. */
export const SUPERGRAPH_FILE = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));
export const API_SCHEMA_FILE = fileURLToPath(new URL('../../api-schema.graphql', import.meta.url));

import { readFileSync } from 'node:fs';
import { SUPERGRAPH_FILE } from './compose/artifacts';

/** The committed, composed supergraph (see `npm run compose`). */
export function readSupergraphSdl(): string {
  return readFileSync(SUPERGRAPH_FILE, 'utf8');
}

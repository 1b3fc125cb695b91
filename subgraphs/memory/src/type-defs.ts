import { readFileSync } from 'node:fs';
import type { DocumentNode } from 'graphql';
import { gql } from 'graphql-tag';

export const subgraphName = 'memory';

/** The SDL lives at the package root (`schema.graphql`) so composition reads the same file. */
export const typeDefs: DocumentNode = gql(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

import { defineConfig } from 'vitest/config';

// One test run over every workspace (each has its own vitest.config.ts).
export default defineConfig({
  test: {
    projects: ['packages/*', 'deploy', 'tools/supply-chain', 'prisma', 'identity', 'data-plane', 'subgraphs/*', 'services/*', 'supergraph', 'platform', 'web'],
  },
});

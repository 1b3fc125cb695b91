import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The console is one workspace of an npm monorepo whose node_modules live at the repository root.
  turbopack: { root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
  poweredByHeader: false,
  // Workspace packages ship TypeScript source: the browser audit verifier imports the ledger, the
  // console the API's error registry.
  transpilePackages: ['@switchyard/ledger', '@switchyard/subgraph-kit'],
};

export default nextConfig;

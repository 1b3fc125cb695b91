import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The console is one workspace of an npm monorepo whose node_modules live at the repository root.
  turbopack: { root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
  // The browser audit verifier imports the ledger's TypeScript sources (a workspace package).
  transpilePackages: ['@switchyard/ledger'],
  poweredByHeader: false,
};

export default nextConfig;

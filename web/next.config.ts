import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The console is one workspace of an npm monorepo whose node_modules live at the repository root.
  turbopack: { root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
  poweredByHeader: false,
  // Workspace packages ship TypeScript source (the console imports the API's error registry).
  transpilePackages: ['@switchyard/subgraph-kit'],
};

export default nextConfig;

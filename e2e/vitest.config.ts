import { defineConfig } from 'vitest/config';

// Whole-stack tests start processes, a browser and (first time) a Next.js build: generous timeouts,
// and one file at a time so two stacks never compete for the machine's two cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});

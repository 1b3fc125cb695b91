// Type-aware lint for every workspace (run per workspace by turbo).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.next/**', '**/generated/**', '**/next-env.d.ts', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read the environment once, through the package config module (zod).' }],
      // One way to open Redis, so a redis+cluster:// REDIS_URL reaches every use.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'ioredis', allowTypeImports: true, message: 'Open Redis with openRedis(REDIS_URL) from @switchyard/redis-connection (one node or a cluster).' }] },
      ],
    },
  },
  {
    files: ['packages/redis-connection/**', '**/*.test.ts', '**/test/**', '**/testkit/**', '**/bench/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['**/config.ts', '**/*.test.ts', '**/test/**', '**/testkit/**', '**/bench/**', '**/*-cli.ts', 'e2e/**', 'web/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

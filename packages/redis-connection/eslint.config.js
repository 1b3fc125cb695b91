import base from '../../eslint.config.js';

// The one package that opens ioredis itself (everyone else goes through openRedis).
export default [...base, { files: ['**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } }];

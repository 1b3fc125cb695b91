import { createMemoryTestDatabase } from '../testing';
import { describeSecretVaultContract } from './secret-vault.contract';

describeSecretVaultContract('PGlite', createMemoryTestDatabase);

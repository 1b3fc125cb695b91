import { createTestDatabase } from '../testing';
import { describeSecretVaultContract } from './secret-vault.contract';

describeSecretVaultContract('Postgres', createTestDatabase);

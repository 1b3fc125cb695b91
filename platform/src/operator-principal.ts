import type { Principal } from '@switchyard/identity';

/** Who acts when an operator runs a local command (CLI, first-start seed): the installation itself. */
export const OPERATOR_PRINCIPAL: Principal = {
  subject: 'operator-cli',
  email: null,
  tenantId: null,
  roles: ['platform_admin'],
  service: 'platform',
};

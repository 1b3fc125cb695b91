import type { PolicyContext } from '../context';
import type { PolicyVersion } from '../policy-version';

export const queryResolvers = {
  policyVersions: (_parent: unknown, args: { tenantId: string }, { service, principal }: PolicyContext): Promise<PolicyVersion[]> =>
    service.policyVersions(args.tenantId, principal),
  activePolicy: (_parent: unknown, args: { tenantId: string }, { service, principal }: PolicyContext): Promise<PolicyVersion | null> =>
    service.activePolicy(args.tenantId, principal),
};

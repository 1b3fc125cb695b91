import type { PolicyContext } from '../context';
import type { PolicyDryRun } from '../policy-service';
import type { PolicyVersion } from '../policy-version';

export const mutationResolvers = {
  proposePolicy: (_parent: unknown, args: { tenantId: string; text: string }, { service, principal }: PolicyContext): Promise<PolicyVersion> =>
    service.proposePolicy(args.tenantId, args.text, principal),
  dryRunPolicy: (_parent: unknown, args: { tenantId: string; version: number; limit: number }, { service, principal }: PolicyContext): Promise<PolicyDryRun> =>
    service.dryRunPolicy(args.tenantId, args.version, args.limit, principal),
  approvePolicy: (_parent: unknown, args: { tenantId: string; version: number }, { service, principal }: PolicyContext): Promise<PolicyVersion> =>
    service.approvePolicy(args.tenantId, args.version, principal),
  rollbackPolicy: (_parent: unknown, args: { tenantId: string; toVersion: number }, { service, principal }: PolicyContext): Promise<PolicyVersion> =>
    service.rollbackPolicy(args.tenantId, args.toVersion, principal),
};

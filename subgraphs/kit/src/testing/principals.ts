import type { Principal, Role } from '@switchyard/identity';
import type { GraphQLReply } from './graphql-client';

/** A gateway principal with `roles` in `tenantId` (null: platform-wide). */
export function principalOf(roles: Role[], tenantId: string | null, subject = `user-${roles.join('-')}`): Principal {
  return { subject, email: `${subject}@example.test`, tenantId, roles, service: 'gateway' };
}

export const PLATFORM_ADMIN = principalOf(['platform_admin'], null, 'platform-admin');

/** The `extensions.code` of each error in a reply, in order. */
export function errorCodes(reply: GraphQLReply<{ extensions?: { code?: string } }>): (string | undefined)[] {
  return (reply.body.errors ?? []).map((error) => error.extensions?.code);
}

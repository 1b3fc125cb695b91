import type { Principal } from '@switchyard/identity';

/** The audit actor: an integration's own identity (`api-key:<id>`), else `user:<subject>`. */
export function actorOf(principal: Principal): string {
  return principal.service.startsWith('api-key:') ? principal.service : `user:${principal.subject}`;
}

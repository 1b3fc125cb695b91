/** Someone the identity provider knows: the subject its tokens carry and their e-mail address. */
export interface Person {
  subject: string;
  email: string;
}

/**
 * Resolves an e-mail address to the identity provider's subject, so tenant admins add members by
 * address instead of an opaque `sub`. Only a directory the identity provider vouches for may
 * answer (e-mails typed into the members table are not verified: trusting them would let one
 * tenant's admin steer another's invitation to a subject of their choosing).
 */
export interface PeopleDirectory {
  /** The person with this address (case-insensitive), or null when unknown or not unique. */
  findByEmail(email: string): Promise<Person | null>;
}

/** A fixed list, e.g. the bundled OIDC issuer's accounts. An address two subjects share resolves to no one. */
export function staticPeopleDirectory(people: readonly Person[]): PeopleDirectory {
  const byEmail = new Map<string, Person | null>();
  for (const person of people) {
    const key = person.email.trim().toLowerCase();
    byEmail.set(key, byEmail.has(key) && byEmail.get(key)?.subject !== person.subject ? null : person);
  }
  return {
    findByEmail(email) {
      return Promise.resolve(byEmail.get(email.trim().toLowerCase()) ?? null);
    },
  };
}

/** No directory configured (an external identity provider): every address is unknown. */
export const NO_PEOPLE_DIRECTORY: PeopleDirectory = { findByEmail: () => Promise.resolve(null) };

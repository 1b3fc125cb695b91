/** Entries per page of the audit explorer (the server allows up to 500). */
export const AUDIT_PAGE_SIZE = 50;

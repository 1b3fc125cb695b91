import { NextResponse } from 'next/server';
import { getConfig } from '../../../lib/config';
import { endSessionUrl } from '../../../lib/oidc';
import { clearSession } from '../../../lib/session-store';

/** Forgets the local session, then ends the issuer session too (RP-initiated logout) when supported. */
async function signOut(): Promise<NextResponse> {
  const config = getConfig();
  await clearSession();
  let destination: URL = new URL('/', config.consoleUrl);
  try {
    destination = (await endSessionUrl()) ?? destination;
  } catch {
    // The issuer is unreachable: the local session is gone, which is what the user asked for.
  }
  return NextResponse.redirect(destination, 303);
}

export const POST = signOut;
export const GET = signOut;

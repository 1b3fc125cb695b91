import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { TopBar } from '../components/top-bar';
import { readSession } from '../lib/session-store';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Switchyard console', template: '%s · Switchyard' },
  description: 'Tenants, API keys and live cost for the Switchyard LLM gateway.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await readSession();
  return (
    <html lang="en">
      <body>
        <TopBar email={session?.email} />
        {children}
      </body>
    </html>
  );
}

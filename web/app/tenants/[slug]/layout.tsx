import type { ReactNode } from 'react';
import { TenantNav } from '../../../components/tenant-nav';

/** Every tenant page sits under the same section navigation (lib/tenant-sections.ts). */
export default async function TenantLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  return (
    <>
      <TenantNav slug={slug} />
      {children}
    </>
  );
}

import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { gainShareCsv, gainShareHtml } from '../../../../../lib/gain-share-export';
import { executeOperation } from '../../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../../lib/operations';
import { gainShareReportQuery, savingsQuery } from '../../../../../lib/savings-operations';
import { readFreshSession } from '../../../../../lib/session-store';

const NO_STORE = { 'cache-control': 'no-store' };
const querySchema = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/), format: z.enum(['csv', 'html']) });

/**
 * The gain-share report of one month as a download: `?month=YYYY-MM&format=csv|html` (the HTML
 * is laid out for the browser's print-to-PDF). Read with the signed-in person's own token, so the
 * gateway and the cost subgraph decide what they may see, as for every page.
 */
export async function GET(request: NextRequest, context: { params: Promise<{ slug: string }> }): Promise<NextResponse> {
  const { slug } = await context.params;
  const parsed = querySchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success) {
    return NextResponse.json({ error: { code: 'BAD_REQUEST', message: 'Give month=YYYY-MM and format=csv or html.' } }, { status: 400, headers: NO_STORE });
  }
  const session = await readFreshSession();
  if (!session) return NextResponse.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to use the console.' } }, { status: 401, headers: NO_STORE });
  const tenant = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenant.ok) return NextResponse.json({ error: tenant.error }, { status: 502, headers: NO_STORE });
  if (!tenant.data.tenant) return NextResponse.json({ error: { code: 'NOT_FOUND', message: 'No such tenant.' } }, { status: 404, headers: NO_STORE });
  const tenantId = tenant.data.tenant.id;
  const [month, savings] = await Promise.all([
    executeOperation(gainShareReportQuery, { tenantId, month: parsed.data.month }, session.accessToken),
    executeOperation(savingsQuery, { tenantId }, session.accessToken),
  ]);
  if (!month.ok) return NextResponse.json({ error: month.error }, { status: month.error.code === 'FORBIDDEN' ? 403 : 502, headers: NO_STORE });
  const routes = savings.ok ? savings.data.savings.routes : [];
  const name = `gain-share-${tenant.data.tenant.slug}-${parsed.data.month}`;
  if (parsed.data.format === 'csv') {
    return new NextResponse(gainShareCsv(tenant.data.tenant.slug, month.data.gainShareReport, routes), {
      headers: { ...NO_STORE, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}.csv"` },
    });
  }
  return new NextResponse(gainShareHtml(tenant.data.tenant, month.data.gainShareReport, routes), {
    headers: { ...NO_STORE, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
  });
}

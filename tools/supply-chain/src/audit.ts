import { z } from 'zod';

/**
 * `npm audit --omit=dev --json` (npm 7+ report format) judged against reasoned exceptions:
 * CI fails on every high or critical advisory that reaches shipped code and has no live exception.
 */
const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];
const FAILING: ReadonlySet<Severity> = new Set(['high', 'critical']);

const advisorySchema = z.object({ source: z.number(), name: z.string(), title: z.string(), url: z.string(), severity: z.enum(SEVERITIES), range: z.string().optional() }).loose();

const auditReportSchema = z.object({ vulnerabilities: z.record(z.string(), z.object({ name: z.string(), severity: z.enum(SEVERITIES), via: z.array(z.union([z.string(), advisorySchema])) }).loose()) }).loose();
// The advisory endpoint did not answer (offline, a proxy refusing it): npm prints its error instead.
const auditErrorSchema = z.object({ message: z.string().optional(), statusCode: z.number().optional() }).loose();

export const exceptionsSchema = z.object({
  exceptions: z.array(
    z.strictObject({
      /** The advisory's GHSA id (as in github.com/advisories/<id>). */
      advisory: z.string().regex(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/, 'a GHSA id like GHSA-xxxx-xxxx-xxxx'),
      package: z.string().min(1),
      /** Why the advisory does not affect Switchyard (which code path, which configuration). */
      reason: z.string().min(20, 'say why it does not affect shipped code (at least a sentence)'),
      /** An exception is re-reviewed by this date (YYYY-MM-DD); after it the advisory fails CI again. */
      expires: z.iso.date(),
    }),
  ),
});
export type AuditExceptions = z.output<typeof exceptionsSchema>;

export interface Advisory {
  id: string;
  package: string;
  severity: Severity;
  title: string;
  url: string;
}

export type AuditVerdict =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'checked'; failing: Advisory[]; excepted: Array<Advisory & { reason: string }>; below: Advisory[]; expired: string[]; unused: string[] };

function ghsaOf(url: string, source: number): string {
  return /GHSA(-[0-9a-z]{4}){3}/i.exec(url)?.[0] ?? `npm-advisory-${source}`;
}

/** `today` is passed in (YYYY-MM-DD) so expiry is testable. */
export function judgeAudit(report: unknown, exceptions: AuditExceptions, today: string): AuditVerdict {
  const checked = auditReportSchema.safeParse(report);
  if (!checked.success) {
    // A report we cannot read is an error, never "not checked".
    if (typeof report === 'object' && report !== null && 'vulnerabilities' in report) throw checked.error;
    const failure = auditErrorSchema.parse(report);
    const status = failure.statusCode ? ` (${failure.statusCode})` : '';
    return { kind: 'unavailable', reason: `the advisory endpoint did not answer${status}: ${failure.message ?? 'no report'}` };
  }
  const parsed = checked.data;
  // Only objects in `via` are advisories; strings name the dependency that carries one.
  const advisories = new Map<string, Advisory>();
  for (const vulnerability of Object.values(parsed.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue;
      const id = ghsaOf(via.url, via.source);
      advisories.set(`${id} ${via.name}`, { id, package: via.name, severity: via.severity, title: via.title, url: via.url });
    }
  }
  const live = exceptions.exceptions.filter((e) => e.expires >= today);
  const expired = exceptions.exceptions.filter((e) => e.expires < today).map((e) => `${e.advisory} (${e.package}) expired ${e.expires}`);
  const failing: Advisory[] = [];
  const excepted: Array<Advisory & { reason: string }> = [];
  const below: Advisory[] = [];
  const used = new Set<string>();
  for (const advisory of [...advisories.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!FAILING.has(advisory.severity)) {
      below.push(advisory);
      continue;
    }
    const exception = live.find((e) => e.advisory.toLowerCase() === advisory.id.toLowerCase() && e.package === advisory.package);
    if (exception) {
      used.add(`${exception.advisory} ${exception.package}`);
      excepted.push({ ...advisory, reason: exception.reason });
    } else {
      failing.push(advisory);
    }
  }
  const unused = live.filter((e) => !used.has(`${e.advisory} ${e.package}`)).map((e) => `${e.advisory} (${e.package})`);
  return { kind: 'checked', failing, excepted, below, expired, unused };
}

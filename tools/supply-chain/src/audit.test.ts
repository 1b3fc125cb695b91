import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exceptionsSchema, judgeAudit, type AuditExceptions } from './audit';
import { REPO_ROOT } from './repo-root';

const advisory = (name: string, id: string, severity: string) => ({ source: 1_100_000, name, dependency: name, title: `${name} is bad`, url: `https://github.com/advisories/${id}`, severity, cwe: [], cvss: {}, range: '<2.0.0' });

// The shape `npm audit --json` prints (npm 7+): advisories are the objects in `via`; strings are carriers.
const REPORT = {
  auditReportVersion: 2,
  vulnerabilities: {
    'lib-crit': { name: 'lib-crit', severity: 'critical', isDirect: false, via: [advisory('lib-crit', 'GHSA-2222-3333-4444', 'critical')], effects: ['carrier'], range: '<2.0.0', nodes: [], fixAvailable: true },
    carrier: { name: 'carrier', severity: 'critical', isDirect: true, via: ['lib-crit'], effects: [], range: '*', nodes: [], fixAvailable: true },
    'lib-high': { name: 'lib-high', severity: 'high', isDirect: true, via: [advisory('lib-high', 'GHSA-5555-6666-7777', 'high')], effects: [], range: '*', nodes: [], fixAvailable: false },
    'lib-mod': { name: 'lib-mod', severity: 'moderate', isDirect: true, via: [advisory('lib-mod', 'GHSA-8888-9999-cccc', 'moderate')], effects: [], range: '*', nodes: [], fixAvailable: false },
  },
  metadata: {},
};

const exception = (advisoryId: string, pkg: string, expires: string): AuditExceptions['exceptions'][number] => ({ advisory: advisoryId, package: pkg, reason: 'Only reachable through the XML export, which Switchyard never calls.', expires });

describe('judgeAudit', () => {
  it('fails every high and critical advisory (once, not per carrier); moderate ones are listed below the bar', () => {
    const verdict = judgeAudit(REPORT, { exceptions: [] }, '2026-12-07');
    if (verdict.kind !== 'checked') throw new Error(verdict.reason);
    expect(verdict.failing.map((a) => [a.id, a.package, a.severity])).toEqual([
      ['GHSA-2222-3333-4444', 'lib-crit', 'critical'],
      ['GHSA-5555-6666-7777', 'lib-high', 'high'],
    ]);
    expect(verdict.below.map((a) => a.id)).toEqual(['GHSA-8888-9999-cccc']);
  });

  it('a live exception for the same advisory and package excuses it, with its reason', () => {
    const verdict = judgeAudit(REPORT, { exceptions: [exception('GHSA-5555-6666-7777', 'lib-high', '2027-01-31')] }, '2026-12-07');
    if (verdict.kind !== 'checked') throw new Error(verdict.reason);
    expect(verdict.failing.map((a) => a.id)).toEqual(['GHSA-2222-3333-4444']);
    expect(verdict.excepted).toEqual([expect.objectContaining({ id: 'GHSA-5555-6666-7777', reason: expect.stringContaining('XML export') })]);
  });

  it('an exception for another package, or past its date, excuses nothing (and the expired one is reported)', () => {
    const verdict = judgeAudit(REPORT, { exceptions: [exception('GHSA-5555-6666-7777', 'other', '2027-01-31'), exception('GHSA-2222-3333-4444', 'lib-crit', '2026-12-06')] }, '2026-12-07');
    if (verdict.kind !== 'checked') throw new Error(verdict.reason);
    expect(verdict.failing).toHaveLength(2);
    expect(verdict.expired).toEqual(['GHSA-2222-3333-4444 (lib-crit) expired 2026-12-06']);
    expect(verdict.unused).toEqual(['GHSA-5555-6666-7777 (other)']);
  });

  it('an unreachable advisory endpoint is reported as not checked, not as clean', () => {
    const verdict = judgeAudit({ message: '405 Method Not Allowed - POST https://registry.invalid/-/npm/v1/security/advisories/bulk', statusCode: 405 }, { exceptions: [] }, '2026-12-07');
    expect(verdict).toEqual({ kind: 'unavailable', reason: expect.stringContaining('(405)') });
  });

  it('a report it cannot read throws instead of passing', () => {
    expect(() => judgeAudit({ vulnerabilities: { x: { name: 'x', severity: 'apocalyptic', via: [] } } }, { exceptions: [] }, '2026-12-07')).toThrow();
  });

  it('an empty report passes', () => {
    expect(judgeAudit({ auditReportVersion: 2, vulnerabilities: {}, metadata: {} }, { exceptions: [] }, '2026-12-07')).toEqual({ kind: 'checked', failing: [], excepted: [], below: [], expired: [], unused: [] });
  });
});

describe('exceptions file', () => {
  it('requires a GHSA id, a reason of at least a sentence and a date', () => {
    expect(exceptionsSchema.safeParse({ exceptions: [{ advisory: 'CVE-2024-1', package: 'x', reason: 'no', expires: 'soon' }] }).error?.issues.map((i) => i.path.at(-1))).toEqual(['advisory', 'reason', 'expires']);
    expect(exceptionsSchema.safeParse({ exceptions: [{ ...exception('GHSA-2222-3333-4444', 'x', '2027-01-01'), extra: 1 }] }).success).toBe(false);
  });

  it('the committed .ci/audit-exceptions.json is valid', async () => {
    expect(exceptionsSchema.safeParse(JSON.parse(await readFile(path.join(REPO_ROOT, '.ci', 'audit-exceptions.json'), 'utf8'))).success).toBe(true);
  });
});

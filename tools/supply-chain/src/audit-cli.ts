// CI's audit step: `npm audit --omit=dev --json` judged by audit.ts against .ci/audit-exceptions.json.
// Exit 1 on a high/critical advisory of shipped code without a live exception, or an expired exception.
// Where the advisory endpoint cannot be reached the step says so and passes, unless
// --require-advisories (or SWITCHYARD_AUDIT_REQUIRED=1) makes that a failure too.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { exceptionsSchema, judgeAudit } from './audit';
import { REPO_ROOT } from './repo-root';

const { values: args } = parseArgs({
  options: {
    report: { type: 'string' },
    exceptions: { type: 'string', default: path.join(REPO_ROOT, '.ci', 'audit-exceptions.json') },
    'require-advisories': { type: 'boolean', default: process.env.SWITCHYARD_AUDIT_REQUIRED === '1' },
    today: { type: 'string', default: new Date().toISOString().slice(0, 10) },
  },
});

async function npmAudit(): Promise<string> {
  // npm audit exits 1 when it finds anything; its JSON is on stdout either way.
  try {
    return (await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })).stdout;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout) return stdout;
    throw error;
  }
}

const exceptions = exceptionsSchema.parse(JSON.parse(await readFile(args.exceptions, 'utf8')));
const report: unknown = JSON.parse(args.report ? await readFile(args.report, 'utf8') : await npmAudit());
const verdict = judgeAudit(report, exceptions, args.today);
const out = (line: string) => process.stdout.write(`${line}\n`);

if (verdict.kind === 'unavailable') {
  out(`npm audit: NOT CHECKED: ${verdict.reason}`);
  process.exit(args['require-advisories'] ? 1 : 0);
}
for (const a of verdict.failing) out(`FAIL ${a.severity} ${a.id} in ${a.package}: ${a.title} (${a.url})`);
for (const a of verdict.excepted) out(`excepted ${a.severity} ${a.id} in ${a.package}: ${a.reason}`);
for (const a of verdict.below) out(`below the bar: ${a.severity} ${a.id} in ${a.package}: ${a.title}`);
for (const e of verdict.expired) out(`FAIL exception ${e}: re-review it or remove it`);
for (const e of verdict.unused) out(`note: exception ${e} matches no current advisory; remove it`);
out(`npm audit (shipped code): ${verdict.failing.length} failing, ${verdict.excepted.length} excepted, ${verdict.below.length} below high`);
process.exit(verdict.failing.length > 0 || verdict.expired.length > 0 ? 1 : 0);

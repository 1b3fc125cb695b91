/**
 * README's start command on a bare machine: no DATABASE_URL, no REDIS_URL. A fresh data dir is
 * seeded with the demo tenant, the banner prints a working key, and the operator CLI mints more
 * keys (printing only the key) through the running process that owns the embedded database.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateStackPorts } from '../testkit/ports';
import { REPO_ROOT, startPlatformProcess, type PlatformProcess } from '../testkit/platform-process';

const run = promisify(execFile);

describe('embedded start (PGlite + in-process bus)', () => {
  let platform: PlatformProcess;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-embedded-'));
    env = { ...(await allocateStackPorts()), SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_COMPONENTS: 'oidc,tenants,cost,gateway,data-plane' };
    platform = await startPlatformProcess(env, { name: 'embedded' });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where to go and a demo key that works with the openai client', async () => {
    const banner = platform.stdout();
    expect(banner).toContain(`http://127.0.0.1:${env.DATA_PLANE_PORT}/v1`);
    const demoKey = /Demo API key\s+(sk-sy-\S+)/.exec(banner)?.[1];
    expect(demoKey).toBeDefined();
    const client = new OpenAI({ apiKey: demoKey, baseURL: `http://127.0.0.1:${env.DATA_PLANE_PORT}/v1` });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('mock-gpt');
    const completion = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    // The demo routes are served too: a route name works as `model` and answers from a mock model.
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(['auto', 'cheapest', 'fastest']));
    const routed = await client.chat.completions.create({ model: 'cheapest', messages: [{ role: 'user', content: 'route me' }] });
    expect(routed.model).toBe('mock-mini');
  });

  it('admin CLI prints a new working key and nothing else on stdout', async () => {
    const { stdout } = await run('npm', ['run', '-s', 'admin', '--', 'key', 'create', '--tenant', 'demo'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, DATABASE_URL: '', REDIS_URL: '' },
    });
    expect(stdout).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}\n$/);
    const client = new OpenAI({ apiKey: stdout.trim(), baseURL: `http://127.0.0.1:${env.DATA_PLANE_PORT}/v1` });
    await expect(client.models.list()).resolves.toBeDefined();
  });

  it('admin CLI refuses an unknown tenant with a message on stderr and a non-zero exit', async () => {
    await expect(
      run('npm', ['run', '-s', 'admin', '--', 'key', 'create', '--tenant', 'no-such-tenant'], { cwd: REPO_ROOT, env: { ...process.env, ...env } }),
    ).rejects.toMatchObject({ stdout: '', stderr: expect.stringContaining('key create failed') });
  });
});

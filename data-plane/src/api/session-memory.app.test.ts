import OpenAI from 'openai';
import { createInProcessSessionWindow } from '@switchyard/memory/session';
import { describe, expect, it } from 'vitest';
import { countPromptTokens } from '../accounting/token-count';
import type { InferenceMessage } from '../domain/inference-request';
import type { RouteConfig } from '../router/route';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/** A route's `memory.recentTurns`: the session's last N turns go into the prompt (chat, legacy completions). */
const routes: RouteConfig[] = [
  { name: 'remembering', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, memory: { recentTurns: 3 } },
  { name: 'forgetful', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' } },
];
const SESSION = 'x-switchyard-session';
const clientOf = (h: Harness, secret = h.secret) => new OpenAI({ apiKey: secret, baseURL: h.baseUrl, maxRetries: 0 });
const tokens = (messages: InferenceMessage[]) => countPromptTokens({ messages });

async function chat(client: OpenAI, model: string, content: string, session?: string, system?: string) {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content }];
  return client.chat.completions.create({ model, messages }, session ? { headers: { [SESSION]: session } } : {});
}

describe('route memory.recentTurns', () => {
  it("adds the session's last N turns after the system message; they are counted and billed as prompt tokens", async () => {
    const h = await startHarness({ routes });
    const client = clientOf(h);
    const first = await chat(client, 'remembering', 'I like tea.', 's-1');
    const firstAnswer = first.choices[0]!.message.content!;
    const second = await chat(client, 'remembering', 'What do I like?', 's-1', 'Be kind.');
    // Three turns: the first question and answer, then the system message keeps its place before them.
    expect(second.usage?.prompt_tokens).toBe(
      tokens([
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'I like tea.' },
        { role: 'assistant', content: firstAnswer },
        { role: 'user', content: 'What do I like?' },
      ]),
    );
    // Only the newest three turns: the first question falls out of the window.
    const third = await chat(client, 'remembering', 'Again?', 's-1');
    expect(third.usage?.prompt_tokens).toBe(
      tokens([
        { role: 'assistant', content: firstAnswer },
        { role: 'user', content: 'What do I like?' },
        { role: 'assistant', content: second.choices[0]!.message.content! },
        { role: 'user', content: 'Again?' },
      ]),
    );
    const events = await h.finish();
    expect(events.map((event) => event.promptTokens).sort((a, b) => a - b)).toEqual([first, second, third].map((c) => c.usage!.prompt_tokens).sort((a, b) => a - b));
  });

  it('adds nothing without a session header, on a route without memory, or for another tenant with the same session id', async () => {
    const h = await startHarness({ routes });
    const client = clientOf(h);
    await chat(client, 'remembering', 'Remember this.', 'shared-id');
    const alone = tokens([{ role: 'user', content: 'Anything?' }]);
    expect((await chat(client, 'remembering', 'Anything?')).usage?.prompt_tokens).toBe(alone);
    expect((await chat(client, 'forgetful', 'Anything?', 'shared-id')).usage?.prompt_tokens).toBe(alone);
    expect((await chat(clientOf(h, h.keys.add().secret), 'remembering', 'Anything?', 'shared-id')).usage?.prompt_tokens).toBe(alone);
    await h.finish();
  });

  it('remembers only the redacted text (redaction runs before anything is stored)', async () => {
    const sessionWindow = createInProcessSessionWindow();
    const h = await startHarness({ routes, sessionWindow });
    await chat(clientOf(h), 'remembering', 'My card is 4111 1111 1111 1111 and mail ada@example.com', 's-pii');
    await h.finish(); // the turns are written after the answer; finishing waits for them
    const turns = await sessionWindow.recentTurns(h.record.tenantId, 's-pii', 10);
    expect(turns).toHaveLength(2);
    expect(JSON.stringify(turns)).not.toContain('ada@example.com');
    expect(JSON.stringify(turns)).not.toContain('4111 1111 1111 1111');
  });

  it('legacy completions use the same session memory', async () => {
    const h = await startHarness({ routes });
    const client = clientOf(h);
    const first = await client.completions.create({ model: 'remembering', prompt: 'Hello there.' }, { headers: { [SESSION]: 'legacy' } });
    const second = await client.completions.create({ model: 'remembering', prompt: 'And?' }, { headers: { [SESSION]: 'legacy' } });
    expect(second.usage?.prompt_tokens).toBe(tokens([{ role: 'user', content: 'Hello there.' }, { role: 'assistant', content: first.choices[0]!.text }, { role: 'user', content: 'And?' }]));
    await h.finish();
  });

  it('counts memory reads and writes in the switchyard_memory_* metrics', async () => {
    const h = await startHarness({ routes });
    const client = clientOf(h);
    await chat(client, 'remembering', 'one', 'm-1');
    await chat(client, 'remembering', 'two', 'm-1');
    const text = await h.metricsText();
    await h.finish();
    expect(text).toMatch(/switchyard_memory_misses_total\{operation="recent_turns",store="in-process"\} 1/);
    expect(text).toMatch(/switchyard_memory_hits_total\{operation="recent_turns",store="in-process"\} 1/);
    expect(text).toMatch(/switchyard_memory_bytes_total\{operation="append_turns",store="in-process"\} \d+/);
    expect(text).toMatch(/switchyard_memory_io_duration_seconds_count\{operation="recent_turns",store="in-process"\} 2/);
  });

  it('a route memory option is validated like the rest of the route', async () => {
    await expect(startHarness({ routes: [{ name: 'bad', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, memory: { recentTurns: 0 } }] })).rejects.toThrow(/memory.recentTurns/);
    await expect(startHarness({ routes: [{ name: 'bad', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, memory: { recentTurns: 101 } }] })).rejects.toThrow(/memory.recentTurns/);
  });
});

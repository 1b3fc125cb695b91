import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/**
 * An answer's last byte waits for its usage event to be acknowledged by the bus: a client that has
 * a whole answer has a billed one, even if the replica is killed right after (the replica-kill
 * fault test, e2e/test/faults/replica-kill.test.ts). The wait is bounded, so a bus that does not
 * answer costs latency, never the answer.
 */
const harnesses: Harness[] = [];
const buses: Bus[] = [];
/** Every held acknowledgement, released after each test so a failed one cannot hang the clean-up. */
const allHeld: Array<() => void> = [];
afterEach(async () => {
  for (const release of allHeld.splice(0)) release();
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

/** An in-process bus whose usage appends are acknowledged only when the test says so. */
function heldUsageBus() {
  const inner = createInProcessBus();
  buses.push(inner);
  const held: Array<() => void> = [];
  const bus: Bus = {
    ...inner,
    async append(stream, payload) {
      if (stream !== USAGE_STREAM) return inner.append(stream, payload);
      await new Promise<void>((resolve) => {
        held.push(resolve);
        allHeld.push(resolve);
      });
      return inner.append(stream, payload);
    },
  };
  return { bus, held };
}

async function start(bus: Bus, redisTimeoutMs: number): Promise<Harness> {
  const h = await startHarness({ bus, limits: { redisTimeoutMs } });
  harnesses.push(h);
  return h;
}

const settledSoon = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return settled;
};

function chat(h: Harness, stream: boolean): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'bill me first' }], stream }),
  });
}

describe('usage before the last byte', () => {
  it('a buffered answer is sent only once its usage event is acknowledged', async () => {
    const { bus, held } = heldUsageBus();
    const h = await start(bus, 60_000);
    const answer = chat(h, false);
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await settledSoon(answer)).toBe(false);
    held[0]!();
    const response = await answer;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: unknown[] };
    expect(body.choices).toHaveLength(1);
    const usage = await h.finish();
    expect(usage.map((event) => event.requestId)).toEqual([response.headers.get('x-switchyard-request-id')]);
  });

  it('a stream sends its chunks at once but its [DONE] only once the usage event is acknowledged', async () => {
    const { bus, held } = heldUsageBus();
    const h = await start(bus, 60_000);
    const response = await chat(h, true);
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('chat.completion.chunk')) {
      const { value } = await reader.read();
      text += decoder.decode(value);
    }
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(text).toContain('chat.completion.chunk');
    expect(text).not.toContain('[DONE]');
    const rest = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value);
      }
    })();
    expect(await settledSoon(rest)).toBe(false);
    expect(text).not.toContain('[DONE]');
    held[0]!();
    await rest;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('a bus that never acknowledges delays the answer by the bound (the limiter\'s Redis timeout), never withholds it; the event follows when the bus answers', async () => {
    const { bus, held } = heldUsageBus();
    const h = await start(bus, 50);
    const response = await chat(h, false);
    expect(response.status).toBe(200);
    await response.json();
    expect(held).toHaveLength(1);
    held[0]!();
    const usage = await h.finish();
    expect(usage).toHaveLength(1);
  });
});

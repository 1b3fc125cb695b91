import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';

/**
 * Tools pass through the gateway to an OpenAI-compatible upstream and the model's tool calls come
 * back, in chat completions and the Responses API, streamed and not. The upstream here calls
 * `get_weather` when it is offered tools and has no tool result yet, and answers in text after.
 */
interface SeenBody {
  tools?: unknown[];
  tool_choice?: unknown;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }>;
}
const seen: SeenBody[] = [];
let upstream: Server;
let upstreamUrl: string;

beforeAll(async () => {
  upstream = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text) as SeenBody;
      seen.push(body);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (payload: object) => response.write(`data: ${JSON.stringify({ id: 'up', object: 'chat.completion.chunk', created: 1, model: 'tool-model', ...payload })}\n\n`);
      const answered = body.messages.some((message) => message.role === 'tool');
      if (body.tools && !answered) {
        chunk({ choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] });
        chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] });
        chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }, finish_reason: null }] });
        chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
      } else {
        chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: answered ? 'It rains in Oslo.' : 'No tools.' }, finish_reason: null }] });
        chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      }
      chunk({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 7, total_tokens: 27 } });
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const gateway = () => startHarness({ providers: [{ name: 'tooling', kind: 'openai-compatible', baseUrl: upstreamUrl, apiKey: 'sk-up', models: ['tool-model'] }] });
const clientOf = (h: Harness) => new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });

describe('tools through the OpenAI-compatible adapter', () => {
  it('chat: forwards the tool definitions and choice, returns the tool call, and sends it back with the result', async () => {
    const h = await gateway();
    const client = clientOf(h);
    seen.length = 0;
    const question = { role: 'user' as const, content: 'Weather in Oslo?' };
    const first = await client.chat.completions.create({ model: 'tool-model', messages: [question], tools: [weatherTool], tool_choice: 'auto' });
    expect(seen[0]?.tools).toEqual([weatherTool]);
    expect(seen[0]?.tool_choice).toBe('auto');
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);

    const second = await client.chat.completions.create({
      model: 'tool-model',
      messages: [question, message, { role: 'tool', tool_call_id: 'call_1', content: 'rain' }],
      tools: [weatherTool],
    });
    expect(second.choices[0]?.message.content).toBe('It rains in Oslo.');
    expect(seen[1]?.messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] });
    expect(seen[1]?.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'rain' });
    await h.finish();
  });

  it('chat, streamed: the tool call arrives in fragments the client reassembles', async () => {
    const h = await gateway();
    const stream = await clientOf(h).chat.completions.create({ model: 'tool-model', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool], stream: true });
    let name = '';
    let args = '';
    let id = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        for (const call of choice.delta.tool_calls ?? []) {
          id ||= call.id ?? '';
          name += call.function?.name ?? '';
          args += call.function?.arguments ?? '';
        }
        finish = choice.finish_reason ?? finish;
      }
    }
    expect({ id, name, args, finish }).toEqual({ id: 'call_1', name: 'get_weather', args: '{"city":"Oslo"}', finish: 'tool_calls' });
    await h.finish();
  });

  it('responses: a function_call output item; its output continues the conversation by previous_response_id', async () => {
    const h = await gateway();
    const client = clientOf(h);
    seen.length = 0;
    const tool = { type: 'function' as const, name: 'get_weather', parameters: weatherTool.function.parameters, strict: false };
    const first = await client.responses.create({ model: 'tool-model', input: 'Weather in Oslo?', tools: [tool] });
    expect(seen[0]?.tools).toEqual([{ type: 'function', function: { name: 'get_weather', parameters: tool.parameters, strict: false } }]);
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' });

    const second = await client.responses.create({ model: 'tool-model', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: 'call_1', output: 'rain' }], tools: [tool] });
    expect(second.output_text).toBe('It rains in Oslo.');
    // The stored context gave the upstream the assistant's tool call before the tool's result.
    expect(seen[1]?.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(seen[1]?.messages[1]?.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    await h.finish();
  });

  it('responses, streamed: the function call is an output item with its arguments in response.completed', async () => {
    const h = await gateway();
    const stream = await clientOf(h).responses.create({ model: 'tool-model', input: 'Weather?', tools: [{ type: 'function', name: 'get_weather', parameters: null, strict: null }], stream: true });
    const types: string[] = [];
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types).toContain('response.function_call_arguments.done');
    expect(completed?.output.find((item) => item.type === 'function_call')).toMatchObject({ call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' });
    await h.finish();
  });
});

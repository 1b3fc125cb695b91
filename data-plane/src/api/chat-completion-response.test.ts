import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatCompletionChunk, contentChunkEncoder, sseData } from './chat-completion-response';

describe('contentChunkEncoder', () => {
  it('writes exactly what sseData(chatCompletionChunk(...)) writes, for any content, id and model', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.boolean(), fc.nat(), (content, id, model, includeUsage, created) => {
        const identity = { id, created, model };
        expect(contentChunkEncoder(identity, includeUsage)(content)).toBe(sseData(chatCompletionChunk(identity, { content }, null, includeUsage)));
      }),
    );
  });

  it('is not fooled by a model name that looks like the content slot', () => {
    const identity = { id: 'chatcmpl-1', created: 1, model: '"content":"" {"content":""}' };
    const encode = contentChunkEncoder(identity, false);
    expect(encode('hé "x"\n')).toBe(sseData(chatCompletionChunk(identity, { content: 'hé "x"\n' }, null, false)));
  });
});

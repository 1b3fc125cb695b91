import { describe, expect, it } from 'vitest';
import { describeSession, formatBytes, preview } from './memory-format';

describe('memory page display', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2.0 MiB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('cuts previews on whole code points and flattens whitespace', () => {
    expect(preview('short')).toBe('short');
    expect(preview('a\n\n b')).toBe('a b');
    expect(preview('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(preview('😀'.repeat(20), 5)).toBe('😀😀😀😀…');
  });

  it('describes a session in words', () => {
    expect(describeSession({ turns: 1, responses: 0 })).toBe('1 turn · 0 stored responses');
    expect(describeSession({ turns: 4, responses: 1 })).toBe('4 turns · 1 stored response');
  });
});

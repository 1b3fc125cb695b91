import { describe, expect, it } from 'vitest';
import { allocateStackPorts, freePorts } from '../testkit/ports';

describe('port allocation', () => {
  it('hands out distinct ports within one allocation', async () => {
    const ports = await freePorts(64);
    expect(new Set(ports).size).toBe(64);
    const stack = Object.values(await allocateStackPorts());
    expect(new Set(stack).size).toBe(stack.length);
  });
});

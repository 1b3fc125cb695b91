import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { feedbackRowId } from './feedback-row-id';

describe('feedbackRowId', () => {
  const batch = '3f1c2b9e-8a51-4c41-9d0e-5b7a4f2c1d00';

  it('is the same for a redelivered batch and differs by position, tenant and batch', () => {
    expect(feedbackRowId(batch, 't1', 0)).toBe(feedbackRowId(batch, 't1', 0));
    expect(feedbackRowId(batch, 't1', 1)).not.toBe(feedbackRowId(batch, 't1', 0));
    expect(feedbackRowId(batch, 't2', 0)).not.toBe(feedbackRowId(batch, 't1', 0));
    expect(feedbackRowId('0b5e7c1a-2d3f-4e5a-8b6c-7d8e9f0a1b2c', 't1', 0)).not.toBe(feedbackRowId(batch, 't1', 0));
  });

  it('is a valid UUID (version 8, RFC variant) the uuid column accepts', () => {
    for (let position = 0; position < 50; position++) {
      const id = feedbackRowId(batch, 't1', position);
      expect(z.uuid().safeParse(id).success).toBe(true);
      expect(id[14]).toBe('8');
      expect('89ab').toContain(id[19]);
    }
  });
});

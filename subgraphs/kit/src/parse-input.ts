import type { z } from 'zod';
import { badUserInput } from './errors/base-errors';

/** Parse with zod; the first problem becomes a BAD_USER_INPUT error naming the field. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, fieldPrefix = ''): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const field = [fieldPrefix, path].filter((part) => part !== '').join('.') || 'input';
  throw badUserInput(`Invalid ${field}: ${issue?.message ?? 'malformed input'}`, field);
}

import { z } from 'zod';

/** A JSON env var parsed with `schema` (unset or empty: `fallback`); every issue becomes one start-up error line. */
export function jsonEnv<T>(schema: z.ZodType<T>, what: string, fallback: T) {
  return z
    .string()
    .optional()
    .transform((text, ctx): T => {
      if (!text) return fallback;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${what}` });
        return z.NEVER;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        return z.NEVER;
      }
      return parsed.data;
    });
}

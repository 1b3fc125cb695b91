import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** ISO-8601 instants in, `Date` inside, ISO-8601 (UTC) out. */
function parseInstant(value: unknown): Date {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new GraphQLError('DateTime must be an ISO-8601 string such as 2026-01-31T12:00:00Z.', {
    extensions: { code: 'BAD_USER_INPUT', field: 'DateTime' },
  });
}

export const dateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant as an ISO-8601 string in UTC.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    return parseInstant(value).toISOString();
  },
  parseValue: parseInstant,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT', field: 'DateTime' } });
    return parseInstant(ast.value);
  },
});

/** What the test helpers read from the environment: `CI=true` makes a missing redis-server a failure, not a skip. */
export const runningInCi = process.env.CI === 'true';

import { describe, expect, it } from 'vitest';
import { lintDockerfile, parseDockerfile } from './dockerfile-lint';

const GOOD = `# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
FROM \${NODE_IMAGE} AS build
RUN npm ci \\
  # a comment inside
  --no-audit
FROM \${NODE_IMAGE} AS runtime
COPY --from=build /app /app
USER node
EXPOSE 8080
HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz')"]
CMD ["node", "dist/x.mjs"]
`;

describe('parseDockerfile', () => {
  it('joins continuations, drops comments and keeps the first line number', () => {
    const instructions = parseDockerfile(GOOD);
    expect(instructions.map((i) => i.keyword)).toEqual(['ARG', 'FROM', 'RUN', 'FROM', 'COPY', 'USER', 'EXPOSE', 'HEALTHCHECK', 'CMD']);
    expect(instructions[2]).toEqual({ keyword: 'RUN', args: 'npm ci  --no-audit', line: 4 });
  });
});

describe('lintDockerfile', () => {
  it('passes a multi-stage, non-root, probed image', () => {
    expect(lintDockerfile(GOOD, { port: 8080 })).toEqual([]);
  });

  it.each([
    ['single stage', GOOD.replace(/FROM \$\{NODE_IMAGE\} AS build[\s\S]*?(?=FROM)/, ''), /not multi-stage/],
    ['no USER', GOOD.replace('USER node\n', ''), /no USER/],
    ['USER root', GOOD.replace('USER node', 'USER root'), /runs as root/],
    ['USER 0:0', GOOD.replace('USER node', 'USER 0:0'), /runs as 0:0/],
    ['no HEALTHCHECK', GOOD.replace(/HEALTHCHECK.*\n/, ''), /no HEALTHCHECK/],
    ['health on another port', GOOD.replace('8080/healthz', '9999/healthz'), /does not probe port 8080/],
    ['shell-form CMD', GOOD.replace('CMD ["node", "dist/x.mjs"]', 'CMD node dist/x.mjs'), /shell form/],
    ['latest base', GOOD.replace('node:20.20.2-bookworm-slim', 'node:latest'), /not pinned/],
    ['untagged base', GOOD.replace('node:20.20.2-bookworm-slim', 'node'), /not pinned/],
    ['unnamed stage', GOOD.replace('AS runtime', ''), /has no name/],
    ['secret in ENV', GOOD.replace('USER node', 'ENV SWITCHYARD_MASTER_KEYS=abc\nUSER node'), /bakes a secret/],
    ['ADD from URL', GOOD.replace('COPY --from=build /app /app', 'ADD https://example.invalid/x.tgz /x'), /ADD from a URL/],
    ['curl | sh', GOOD.replace('npm ci', 'curl -fsSL x | sh && npm ci'), /pipes a download/],
    ['port not exposed', GOOD.replace('EXPOSE 8080', 'EXPOSE 9000'), /does not EXPOSE 8080/],
  ])('flags %s', (_name, text, problem) => {
    expect(lintDockerfile(text, { port: 8080 }).join('\n')).toMatch(problem);
  });
});

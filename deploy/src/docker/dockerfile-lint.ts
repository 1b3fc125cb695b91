/**
 * A small Dockerfile linter for the rules this project holds its images to. Hand-written because
 * hadolint is neither in Debian stable nor on npm, and no image build can run in CI (no registry):
 * the rules below are the ones that matter for these images, checked on the committed files.
 */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions in order: comments and blank lines dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return; // comments inside a continuation
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { text: `${pending.text} ${piece}`, line: pending.line } : { text: piece, line: index + 1 };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/.exec(pending.text);
    if (match?.[1]) out.push({ keyword: match[1].toUpperCase(), args: (match[2] ?? '').trim(), line: pending.line });
    pending = undefined;
  });
  return out;
}

export function stagesOf(instructions: Instruction[]): { args: Instruction[]; stages: Stage[] } {
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|PRIVATE|MASTER_KEYS|API_KEY)/i;

function isExecForm(args: string): boolean {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string');
  } catch {
    return false;
  }
}

function baseImages(args: Instruction[], stage: Stage): string {
  // `FROM ${NODE_IMAGE}`: the image is the ARG's default.
  const ref = /^\$\{?(\w+)\}?$/.exec(stage.from)?.[1];
  if (!ref) return stage.from;
  const declared = args.find((a) => a.args.startsWith(`${ref}=`));
  return declared ? declared.args.slice(ref.length + 1) : '';
}

/** Every rule broken, as readable problems (empty: the Dockerfile passes). */
/** `port` undefined: a run-to-completion image (no HEALTHCHECK or EXPOSE expected). */
export function lintDockerfile(text: string, expect: { port: number | undefined }): string[] {
  const problems: string[] = [];
  const { args, stages } = stagesOf(parseDockerfile(text));
  if (stages.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  for (const stage of stages) {
    if (!stage.name) problems.push(`stage FROM ${stage.from} has no name (FROM … AS <name>)`);
    const image = baseImages(args, stage);
    if (!/^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(image) || image.endsWith(':latest')) problems.push(`base image "${image || stage.from}" is not pinned to a version tag or digest`);
  }
  const runtime = stages.at(-1);
  if (!runtime) return problems;
  const users = runtime.instructions.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args;
  if (!user) problems.push('runtime stage has no USER: it would run as root');
  else if (/^(root|0)(:|$)/.test(user)) problems.push(`runtime stage runs as ${user}`);
  const userIndex = runtime.instructions.findIndex((i) => i === users.at(-1));
  const cmdIndex = runtime.instructions.findIndex((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  if (cmdIndex < 0) problems.push('runtime stage has no CMD or ENTRYPOINT');
  else if (userIndex > cmdIndex) problems.push('USER comes after CMD');
  for (const i of runtime.instructions.filter((x) => x.keyword === 'CMD' || x.keyword === 'ENTRYPOINT')) {
    if (!isExecForm(i.args)) problems.push(`line ${i.line}: ${i.keyword} in shell form: SIGTERM would reach /bin/sh, not node`);
  }
  if (expect.port !== undefined) {
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    if (!health) problems.push('runtime stage has no HEALTHCHECK');
    else if (!health.args.includes(`${expect.port}`)) problems.push(`HEALTHCHECK does not probe port ${expect.port}`);
    const exposed = runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    if (!exposed.includes(String(expect.port))) problems.push(`runtime stage does not EXPOSE ${expect.port}`);
  }
  for (const stage of stages) {
    for (const i of stage.instructions) {
      if (i.keyword === 'ADD' && /https?:\/\//.test(i.args)) problems.push(`line ${i.line}: ADD from a URL (unverified download)`);
      if (i.keyword === 'ENV' || i.keyword === 'ARG') {
        for (const name of i.args.split(/\s+/).map((kv) => kv.split('=')[0] ?? '')) {
          if (SECRET_NAME.test(name)) problems.push(`line ${i.line}: ${i.keyword} ${name} bakes a secret into the image; pass it at run time`);
        }
      }
      if (i.keyword === 'RUN' && /curl[^|]*\|\s*(ba)?sh/.test(i.args)) problems.push(`line ${i.line}: pipes a download into a shell`);
    }
  }
  return problems;
}

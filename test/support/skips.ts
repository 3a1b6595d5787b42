/**
 * The one way a test may not run. Locally, a test that cannot run here (a tool not installed, no
 * Docker) skips with its reason on the console. With CI=true it fails instead, unless
 * GITOPS_PLATFORM_EXCUSED names it with a reason: "id: why; other-id: why". An excused test is
 * not even registered in CI (mocha runs with --forbid-pending there); its title and reason are
 * printed at the end of the run.
 */

export const EXCUSE_VARIABLE = 'GITOPS_PLATFORM_EXCUSED';

/** The tests that may be excused, and what is needed to run them; an excuse for another id fails. */
export const excusable = {
  'tofu-validate': 'network access to the OpenTofu registry (providers and modules)',
  'docker-image': 'a Docker engine and debootstrap (local base images)',
} as const;

export type ExcusableId = keyof typeof excusable;

/** The excuses in the environment: id → reason. An excuse without a reason is an error. */
export function excuses(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of (env[EXCUSE_VARIABLE] ?? '').split(';')) {
    if (part.trim() === '') continue;
    const match = /^\s*([a-z0-9-]+)\s*:\s*(\S.*?)\s*$/.exec(part);
    if (!match) throw new Error(`${EXCUSE_VARIABLE}: "${part.trim()}" is not "id: reason"`);
    result.set(match[1], match[2]);
  }
  return result;
}

/** Tests left out of this run by an excuse, as printable lines (on globalThis: see temp.ts). */
const shared = globalThis as { gitopsPlatformExcused?: string[] };
shared.gitopsPlatformExcused ??= [];
export const excused = shared.gitopsPlatformExcused;

export function unknownExcuses(): string[] {
  return [...excuses().keys()].filter((id) => !(id in excusable));
}

const inCi = () => process.env.CI === 'true';

/**
 * Registers a test that may find it cannot run (it then calls cannotRun with the same id). In CI,
 * when the id is excused, the test is left out and the reason printed.
 */
export function excusableIt(id: ExcusableId, title: string, fn: (this: Mocha.Context) => void | Promise<void>): void {
  const reason = inCi() ? excuses().get(id) : undefined;
  if (reason !== undefined) {
    excused.push(`[${id}] ${title}: ${reason}`);
    return;
  }
  it(title, fn);
}

/**
 * Stops a test that cannot run here. Locally: a visible skip. In CI: a failure, naming how to
 * excuse it if that is really meant (tests registered with excusableIt only).
 */
export function cannotRun(ctx: Mocha.Context, id: string, why: string): never {
  if (inCi()) {
    const how = id in excusable ? ` (or excuse it: ${EXCUSE_VARIABLE}="${id}: <reason>")` : '';
    throw new Error(`cannot run in CI: ${why}${how}`);
  }
  console.warn(`      SKIPPED [${id}]: ${why}`);
  ctx.skip();
}

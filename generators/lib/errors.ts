/** One refused answer: which field, what value, which rule it breaks. */
export interface Violation {
  field: string;
  value: unknown;
  rule: string;
}

/**
 * A failure told to users in their own terms: the CLI prints the message alone (no stack trace
 * unless DEBUG=1) and exits with `exitCode`. `code` is the same number for `yo`, which exits with
 * `error.code`.
 */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly exitCode: number = 1;
  get code(): number {
    return this.exitCode;
  }
}

/** Bad user input, refused before anything is written. */
export class UsageError extends CommandError {
  override name = 'UsageError';
}

export class ValidationError extends UsageError {
  override name = 'ValidationError';
  constructor(readonly violations: Violation[]) {
    super(
      `Invalid answers, nothing was written:\n${violations
        .map((v) => `  - ${v.field}: ${formatValue(v.value)} ${v.rule}`)
        .join('\n')}`,
    );
  }
}

/** The user said no at "Generate?": nothing was written, and that is no failure. */
export class Declined extends CommandError {
  override name = 'Declined';
  override readonly exitCode: number = 0;
}

/** The longest value a message quotes whole; longer ones are shortened in the middle. */
const QUOTED_MAX = 60;

/** A value as messages quote it: JSON, shortened when long, so one bad answer stays one line. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= QUOTED_MAX) return text;
  const half = Math.floor((QUOTED_MAX - 5) / 2);
  const length = typeof value === 'string' ? value.length : text.length;
  return `${text.slice(0, half)} ... ${text.slice(-half)} (${length} characters)`;
}

/** What every exit code of the commands means (--json reports carry it). */
export const EXIT_MEANINGS: Record<number, string> = {
  0: 'done: applied, or nothing to do',
  1: 'error: nothing was written',
  2: 'pending: --check or --dry-run found changes to make',
  3: 'conflicts: left in the repos for you to resolve',
  130: 'interrupted (SIGINT): nothing was changed',
  143: 'interrupted (SIGTERM): nothing was changed',
};

/** The exit codes of a process ended by SIGINT and SIGTERM, as shells report them. */
const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof signalExitCodes;

/** SIGINT or SIGTERM (Ctrl-C at a prompt too) stopped the command; whatever it changed was undone. */
export class Interrupted extends CommandError {
  override name = 'Interrupted';
  override readonly exitCode: number;
  constructor(readonly signal: InterruptSignal) {
    super('Interrupted; nothing was changed.');
    this.exitCode = signalExitCodes[signal];
  }
}

/** What failed, as the first line of a message that goes on to say what could not be undone. */
export function failureText(error: unknown): string {
  if (error instanceof Interrupted) return `Interrupted (${error.signal})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The base of the three generators (`new`, `service`, `upgrade`): what every command does the same
 * way, whether the bin or `yo` runs it. Its options are declared from the table; SIGINT and SIGTERM
 * are taken over for the run (lib/process/interrupt.ts), every task starts at a checkpoint, and a
 * Ctrl-C at a prompt or a child killed by the signal is reported as the interrupt it is; Yeoman's
 * own "An error occured while running ..." line is left out, since our errors say what happened;
 * what the command reports goes to stdout, diagnostics to stderr.
 */
import Generator from 'yeoman-generator';
import type { CommandSpec, Flags } from './answers/table.ts';
import type { RawAnswers } from './answers/validate.ts';
import { declareOptions, readGiven } from './answers/yeoman.ts';
import { CommandError, EXIT_MEANINGS, Interrupted } from './errors.ts';
import { asReported, checkpoint, guardSignals, onInterrupt } from './process/interrupt.ts';

/** Options as Yeoman hands them over: every table key, kebab-cased from the CLI or camelCased from code. */
export type CommandOptions = Generator['options'] & Record<string, unknown>;

type Task = Parameters<Generator['executeTask']>[0];

export abstract class CommandGenerator extends Generator<CommandOptions> {
  /** The task running now: only `prompting` waits for input. */
  private runningTask = '';
  private readonly release: () => void;
  /** --json: the report (or the failure) as one JSON document on stdout instead of text. */
  protected json: boolean;

  constructor(
    args: string[] | undefined,
    options: CommandOptions | undefined,
    protected readonly command: CommandSpec,
  ) {
    // Packages are installed by this package (the app's lockfile), not by Yeoman's package.json watcher.
    // inheritTasks: lifecycle methods (initializing, writing, ...) of a shared base class run too, so
    // commands that differ only in what they plan share them (lib/environment-generator.ts).
    super(args, options as CommandOptions, { customInstallTask: true, customCommitTask: true, inheritTasks: true });
    declareOptions(this, command);
    // Known before the command line is checked, so even its refusal can be reported as JSON.
    this.json = (args ?? []).includes('--json') || options?.json === true;
    // Yeoman logs "An error occured while running <namespace>#<task>" before rethrowing any error.
    // (An environment that only asks for --help has no adapter, so no log.)
    if (typeof this.log === 'function') {
      const quiet = new Proxy(this.log, {
        get: (target, key, receiver) => (key === 'error' ? () => quiet : Reflect.get(target, key, receiver)),
      });
      Object.defineProperty(this, 'log', { value: quiet });
    }
    const releaseSignals = guardSignals();
    // A signal while a prompt waits for input: cancel the prompt, so the run can stop.
    const stopListening = onInterrupt((signal) => {
      if (this.runningTask === 'prompting')
        (this.env.adapter as { abort?: (reason: unknown) => void }).abort?.(new Interrupted(signal));
    });
    this.release = () => {
      stopListening();
      releaseSignals();
    };
    (this.env as unknown as { once?: (event: string, listener: () => void) => void }).once?.('end', this.release);
  }

  override async executeTask(task: Task, ...rest: unknown[]): Promise<void> {
    const { method } = task;
    const guarded: Task = {
      ...task,
      async method(this: CommandGenerator, ...args: unknown[]) {
        await checkpoint(`${this.constructor.name}#${task.taskName}`);
        this.runningTask = task.taskName;
        try {
          return await method.apply(this, args);
        } catch (error) {
          const reported = asReported(error);
          if (this.json) this.writeJson(failureReport(this.command, reported));
          throw reported;
        }
      },
    };
    try {
      // biome-ignore lint/suspicious/noExplicitAny: Yeoman's own parameter types, passed through.
      await super.executeTask(guarded, ...(rest as [any, any]));
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** The command's flags, answers and arguments, strictly checked (answers/argv.ts). */
  protected readCommandLine(): { flags: Flags; given: RawAnswers; positionals: string[] } {
    const line = readGiven(this, this.command);
    this.json = Boolean(line.flags.json);
    return line;
  }

  /** The command's report: one JSON document with --json, else its text. */
  protected report(json: object, lines: string[]): void {
    if (this.json) this.writeJson(json);
    else this.say(lines);
  }

  private writeJson(value: object): void {
    this.stdout().write(`${JSON.stringify(value, null, 2)}\n`);
  }

  private stdout(): { write(text: string): unknown } {
    // The environment wraps the terminal adapter in a queued one, which has no stdout of its own.
    type Adapter = { stdout?: NodeJS.WritableStream; actualAdapter?: Adapter };
    const adapter = this.env.adapter as Adapter;
    const stdout = adapter.stdout ?? adapter.actualAdapter?.stdout;
    // yeoman-test's adapter has none: its log stands in.
    return stdout ?? { write: (text: string) => this.log(text.replace(/\n$/, '')) };
  }

  /** What the command reports, on stdout (the adapter's log, on stderr, is for diagnostics). */
  protected say(lines: string[]): void {
    if (lines.length > 0) this.stdout().write(lines.map((line) => `${line}\n`).join(''));
  }
}

/** A failure as --json reports it. */
function failureReport(command: CommandSpec, error: unknown) {
  const exitCode = error instanceof CommandError ? error.exitCode : 1;
  return {
    command: command.name,
    exitCode,
    meaning: EXIT_MEANINGS[exitCode],
    error: error instanceof Error ? error.message : String(error),
  };
}

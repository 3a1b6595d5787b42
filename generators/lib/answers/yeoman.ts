/**
 * The bridge between the options table and Yeoman: declares a command's options as generator
 * options (so `yo gitops-platform --help` and the bin's parsing agree), reads them back, and turns
 * answers into prompt questions. Writes nothing.
 */
import type Generator from 'yeoman-generator';
import { parseCommandLine } from './argv.ts';
import { loadAnswersFile } from './file.ts';
import { parseAccountId } from './parsers.ts';
import {
  type AnswerKey,
  answerKeys,
  answerSpec,
  type CommandSpec,
  type Flags,
  flagKeys,
  flagName,
  type OptionKey,
  optionTable,
} from './table.ts';
import type { RawAnswers } from './validate.ts';

/** The text --help shows for an option's default. */
function defaultText(key: OptionKey): string | undefined {
  const spec = optionTable[key] as { default?: unknown; defaultText?: string; demoDefault?: unknown };
  if (spec.defaultText) return spec.defaultText;
  if (typeof spec.default === 'function' || spec.default === undefined) {
    return spec.demoDefault === undefined ? undefined : `none (--defaults: ${JSON.stringify(spec.demoDefault)})`;
  }
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

/** The flag as users type it: --dry-run, --aws-region <value>. */
function flagUsage(key: OptionKey): string {
  return `--${flagName(key)}${optionTable[key].cli === 'string' ? ' <value>' : ''}`;
}

/** Help rows [flag, description (default)] of one command, in its order. */
export function helpRows(command: CommandSpec): [string, string][] {
  return command.options.map((key): [string, string] => {
    const special = command.help?.[key];
    if (special) return special;
    const fallback = defaultText(key);
    return [
      flagUsage(key),
      `${optionTable[key].description}${fallback === undefined ? '' : ` (default: ${fallback})`}`,
    ];
  });
}

export function declareOptions(generator: Generator, command: CommandSpec): void {
  const rows = helpRows(command);
  command.options.forEach((key, i) => {
    generator.option(flagName(key), {
      type: optionTable[key].cli === 'boolean' ? Boolean : String,
      description: rows[i][1],
    });
  });
}

/**
 * The command's own flags and arguments, strictly checked (argv.ts), plus the answers given by
 * --answers and by command-line options (the latter win).
 */
export function readGiven(
  generator: Generator,
  command: CommandSpec,
): { flags: Flags; given: RawAnswers; positionals: string[] } {
  // What the environment shares with every generator (skipLocalCache, sharedData...) is not input.
  const shared = (generator.env as unknown as { sharedOptions?: Record<string, unknown> }).sharedOptions ?? {};
  const injected = Object.fromEntries(
    Object.entries(generator._initOptions as Record<string, unknown>).filter(
      ([key, value]) => !(key in shared && shared[key] === value),
    ),
  );
  const line = parseCommandLine(command, generator._args, injected);
  const flags: Record<string, unknown> = {};
  for (const key of flagKeys) if (line.values[key] !== undefined) flags[key] = line.values[key];
  const given: RawAnswers = typeof flags.answers === 'string' ? loadAnswersFile(flags.answers) : {};
  for (const key of answerKeys) if (line.values[key] !== undefined) given[key] = line.values[key];
  return { flags: flags as Flags, given, positionals: line.positionals };
}

/**
 * The Yeoman prompt question for one answer, validated by the same table rule and, through `rule`,
 * by the rules across answers that the answers known so far can already decide.
 */
export function questionFor(key: AnswerKey, fallback: unknown, rule?: (value: unknown) => string | undefined) {
  const spec = answerSpec(key);
  return {
    type: spec.prompt?.type ?? 'input',
    name: key,
    message: spec.prompt?.message ?? key,
    choices: spec.prompt?.choices ? [...spec.prompt.choices] : undefined,
    default: Array.isArray(fallback) ? fallback.join(',') : fallback === undefined ? undefined : String(fallback),
    validate: (input: string) => {
      if (spec.optional && input === '') return true;
      const result = spec.parse(input);
      if ('error' in result) return `${key} ${result.error}`;
      const broken = rule?.(result.value);
      return broken ? `${key} ${broken}` : true;
    },
  };
}

/** The prompt for one environment's AWS account (the per-environment part of `accounts`). */
export function accountQuestion(env: string, fallback: string) {
  return {
    type: 'input',
    name: 'account',
    message: `AWS account of ${env} (12 digits)`,
    default: fallback,
    validate: (input: string) => {
      const result = parseAccountId(input);
      return 'error' in result ? `accounts.${env} ${result.error}` : true;
    },
  };
}

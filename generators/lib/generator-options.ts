/**
 * The bridge between the options table and Yeoman: declares every table entry as a generator option
 * (so `yo gitops-platform --help` and the bin's parsing agree) and reads them back.
 */
import type Generator from 'yeoman-generator';
import { loadAnswersFile, type RawAnswers } from './answers.ts';
import { UsageError } from './errors.ts';
import {
  type AnswerKey,
  answerKeys,
  answerSpec,
  commandFlagHelp,
  commandOptions,
  type Flags,
  flagKeys,
  flagName,
  optionTable,
} from './options.ts';

export type Command = keyof typeof commandOptions;

/** The text --help shows for an option's default. */
export function defaultText(key: keyof typeof optionTable): string | undefined {
  const spec = optionTable[key] as { default?: unknown; defaultText?: string; demoDefault?: unknown };
  if (spec.defaultText) return spec.defaultText;
  if (typeof spec.default === 'function' || spec.default === undefined) {
    return spec.demoDefault === undefined ? undefined : `none (--defaults: ${JSON.stringify(spec.demoDefault)})`;
  }
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

/** The flag as users type it: --dry-run, --aws-region <value>. */
export function flagUsage(key: keyof typeof optionTable): string {
  const spec = optionTable[key] as { cli: string };
  return `--${flagName(key)}${spec.cli === 'string' ? ' <value>' : ''}`;
}

/** Help rows [flag, description (default)] of one command, in table order. */
export function helpRows(command: Command): [string, string][] {
  return commandOptions[command].map((key): [string, string] => {
    const special = commandFlagHelp[command]?.[key];
    if (special) return special;
    const spec = optionTable[key] as { description: string };
    const fallback = defaultText(key);
    return [flagUsage(key), `${spec.description}${fallback === undefined ? '' : ` (default: ${fallback})`}`];
  });
}

export function declareOptions(generator: Generator, command: Command): void {
  for (const [key, [, description]] of commandOptions[command].map((k, i) => [k, helpRows(command)[i]] as const)) {
    const spec = optionTable[key];
    generator.option(flagName(key), {
      type: spec.cli === 'boolean' ? Boolean : String,
      description,
    });
  }
}

function read(options: Record<string, unknown>, key: string): unknown {
  return options[flagName(key)] ?? options[key];
}

/** Flags, plus the answers given by --answers and by command-line options (the latter win). */
/**
 * Flags, plus the answers given by --answers and by command-line options (the latter win). Only
 * the command's own options are read: `upgrade --org x` must not slip through undeclared.
 */
export function readGiven(options: Record<string, unknown>, command: Command): { flags: Flags; given: RawAnswers } {
  const accepted = new Set<string>(commandOptions[command]);
  // Yeoman parses any --flag; one from the table that this command does not take is refused.
  // (false is Yeoman's own default for its built-in booleans, such as --skip-install.)
  const foreign = (Object.keys(optionTable) as string[]).filter(
    (key) => !accepted.has(key) && read(options, key) !== undefined && read(options, key) !== false,
  );
  if (foreign.length > 0) {
    throw new UsageError(
      `${command} does not take ${foreign.map((k) => `--${flagName(k)}`).join(', ')}` +
        `${foreign.includes('org') ? ' (org names the repos and cannot change)' : ''}; see \`gitops-platform ${command} --help\`.`,
    );
  }
  const flags: Record<string, unknown> = {};
  for (const key of flagKeys) {
    const value = read(options, key);
    if (value !== undefined && accepted.has(key)) flags[key] = value;
  }
  const given: RawAnswers = typeof flags.answers === 'string' ? loadAnswersFile(flags.answers) : {};
  for (const key of answerKeys) {
    const value = read(options, key);
    if (value !== undefined && accepted.has(key)) given[key] = value;
  }
  return { flags: flags as Flags, given };
}

/** The Yeoman prompt question for one answer, validated by the same table rule. */
export function questionFor(key: AnswerKey, fallback: unknown) {
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
      return 'error' in result ? `${key} ${result.error}` : true;
    },
  };
}

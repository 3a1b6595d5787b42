/**
 * The bridge between the options table and Yeoman: declares every table entry as a generator option
 * (so `yo gitops-platform --help` and the bin's parsing agree) and reads them back.
 */
import type Generator from 'yeoman-generator';
import { loadAnswersFile, type RawAnswers } from './answers.ts';
import { type AnswerKey, answerKeys, answerSpec, type Flags, flagKeys, flagName, optionTable } from './options.ts';

/** The text --help shows for an option's default. */
export function defaultText(key: keyof typeof optionTable): string | undefined {
  const spec = optionTable[key] as { default?: unknown; defaultText?: string; demoDefault?: unknown };
  if (spec.defaultText) return spec.defaultText;
  if (typeof spec.default === 'function' || spec.default === undefined) {
    return spec.demoDefault === undefined ? undefined : `none (--defaults: ${JSON.stringify(spec.demoDefault)})`;
  }
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}

export function declareOptions(generator: Generator): void {
  for (const key of Object.keys(optionTable) as (keyof typeof optionTable)[]) {
    const spec = optionTable[key];
    const fallback = defaultText(key);
    generator.option(flagName(key as string), {
      type: spec.cli === 'boolean' ? Boolean : String,
      description: fallback === undefined ? spec.description : `${spec.description} (default: ${fallback})`,
    });
  }
}

function read(options: Record<string, unknown>, key: string): unknown {
  return options[flagName(key)] ?? options[key];
}

/** Flags, plus the answers given by --answers and by command-line options (the latter win). */
export function readGiven(options: Record<string, unknown>): { flags: Flags; given: RawAnswers } {
  const flags: Record<string, unknown> = {};
  for (const key of flagKeys) {
    const value = read(options, key);
    if (value !== undefined) flags[key] = value;
  }
  const given: RawAnswers = typeof flags.answers === 'string' ? loadAnswersFile(flags.answers) : {};
  for (const key of answerKeys) {
    const value = read(options, key);
    if (value !== undefined) given[key] = value;
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

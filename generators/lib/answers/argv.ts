/**
 * The strict command line. Yeoman parses any `--flag` and ignores what it does not know, so
 * `--dryrun` would run for real; every command reads its flags and arguments through here instead,
 * and anything it does not take is refused before anything happens. Both entry points land here:
 * the bin hands Yeoman the raw words (`args`), yo hands it flags it parsed itself (`injected`).
 * Writes nothing.
 */
import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from '../errors.ts';
import { type CommandSpec, flagName, type OptionKey, optionTable, positionalsUsage } from './table.ts';

/** What one command was given: table keys (camelCase) to values, and its positional arguments. */
interface CommandLine {
  values: Partial<Record<OptionKey, string | boolean>>;
  positionals: string[];
  help: boolean;
}

/** Options the environment adds to each generator it creates (its shared options are removed by the caller). */
const environmentKeys = new Set(['env', 'resolved', 'namespace', '_meta']);
/**
 * yo's own general flags, which it passes on to the generator as well (`yo --help` lists them;
 * `--force` only lets Yeoman overwrite, and these commands never overwrite).
 */
const yoKeys = new Set(['color', 'localOnly', 'debug', 'insight', 'force']);

interface Occurrence {
  /** As the user typed it, for messages: --org, --no-commit. */
  typed: string;
  key: string;
  value: string | boolean | undefined;
}

function camelKey(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function seeHelp(command: CommandSpec): string {
  return `see \`gitops-platform ${command.name} --help\``;
}

/** The words of the bin's command line as occurrences; `--` ends the options. */
function fromArgs(args: readonly string[]): { occurrences: Occurrence[]; positionals: string[] } {
  const occurrences: Occurrence[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (word === '-h') {
      occurrences.push({ typed: word, key: 'help', value: true });
    } else if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const flag = eq < 0 ? word.slice(2) : word.slice(2, eq);
      const inline = eq < 0 ? undefined : word.slice(eq + 1);
      const key = camelKey(flag);
      const spec = (optionTable as Record<string, { cli: string }>)[key];
      if (spec?.cli === 'string' && inline === undefined) {
        // A value never starts with "-" in this table, so "--org --defaults" is a missing value.
        const next = args[i + 1];
        const value = next !== undefined && !next.startsWith('-') ? next : undefined;
        if (value !== undefined) i++;
        occurrences.push({ typed: `--${flag}`, key, value });
      } else if (!spec && flag.startsWith('no-') && inline === undefined) {
        occurrences.push({ typed: `--${flag}`, key: camelKey(flag.slice(3)), value: false });
      } else {
        occurrences.push({ typed: `--${flag}`, key, value: inline ?? true });
      }
    } else if (word.startsWith('-') && word.length > 1) {
      occurrences.push({ typed: word, key: word, value: true });
    } else {
      positionals.push(word);
    }
  }
  return { occurrences, positionals };
}

/** Options set by yo (which parsed the flags itself, and adds a kebab-case twin of each) or by code. */
function fromInjected(injected: Record<string, unknown>): Occurrence[] {
  const seen = new Map<string, unknown>();
  const occurrences: Occurrence[] = [];
  for (const [name, raw] of Object.entries(injected)) {
    const key = camelKey(name);
    if (environmentKeys.has(key) || yoKeys.has(key) || raw === undefined) continue;
    if (seen.has(key) && JSON.stringify(seen.get(key)) === JSON.stringify(raw)) continue; // yo's twin
    seen.set(key, raw);
    // yo turns a repeated flag into an array of its values.
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const typed = `--${value === false && optionTable[key as OptionKey] ? 'no-' : ''}${flagName(key)}`;
      occurrences.push({
        typed,
        key,
        value: typeof value === 'boolean' || typeof value === 'string' ? value : String(value),
      });
    }
  }
  return occurrences;
}

/** The command's flag nearest to a mistyped one, when it is near enough to be what was meant. */
function suggestion(command: CommandSpec, typed: string): string {
  const flags = command.options.flatMap((key) => {
    const flag = `--${flagName(key)}`;
    return optionTable[key].cli === 'boolean' ? [flag, `--no-${flagName(key)}`] : [flag];
  });
  // A flag it starts (--dry) or ends (--region) before the nearest by edits (--dryrun, --orgg).
  const started = flags.filter((flag) => flag.startsWith(typed) || flag.endsWith(`-${typed.slice(2)}`));
  if (started.length === 1) return `; did you mean ${started[0]}?`;
  const nearest = closest(typed, flags);
  return distance(typed, nearest) <= Math.max(2, Math.floor(typed.length / 4)) ? `; did you mean ${nearest}?` : '';
}

function refuseUnknown(command: CommandSpec, occurrence: Occurrence): never {
  const { typed, key } = occurrence;
  if (key in optionTable) {
    // A flag of another command: say so instead of guessing.
    throw new UsageError(
      `${command.name} does not take ${typed}${key === 'org' ? ' (org names the repos and cannot change)' : ''}; ${seeHelp(command)}.`,
    );
  }
  throw new UsageError(
    `Unknown option ${typed} for ${command.name}${suggestion(command, typed)} (${seeHelp(command)}).`,
  );
}

function checkPositionals(command: CommandSpec, positionals: string[]): void {
  const expected = command.positionals ?? [];
  if (positionals.length > expected.length) {
    const extra = positionals.slice(expected.length).map((p) => JSON.stringify(p));
    const takes =
      expected.length === 0
        ? 'takes no arguments'
        : `takes ${expected.length === 1 ? 'one argument' : `${expected.length} arguments`},${positionalsUsage(command)}`;
    throw new UsageError(`${command.name} ${takes}; unexpected: ${extra.join(' ')} (${seeHelp(command)}).`);
  }
  if (positionals.length < expected.length) {
    const missing = positionalsUsage({ ...command, positionals: expected.slice(positionals.length) });
    throw new UsageError(`${command.name} needs${missing}.\n\nUsage: ${command.usage}`);
  }
}

/**
 * Checks and reads one command's command line: every flag must be one the command takes, given
 * once, a switch without a value or an option with one; the positional arguments must be exactly
 * the command's. Throws a one-line UsageError naming the word that is wrong.
 */
export function parseCommandLine(
  command: CommandSpec,
  args: readonly string[],
  injected: Record<string, unknown> = {},
): CommandLine {
  const parsed = fromArgs(args);
  const occurrences = [...parsed.occurrences, ...fromInjected(injected)];
  const accepted = new Set<string>(command.options);
  const values: CommandLine['values'] = {};
  let help = false;
  for (const occurrence of occurrences) {
    const { typed, key, value } = occurrence;
    if (key === 'help') {
      help = help || value !== false;
      continue;
    }
    if (!accepted.has(key)) refuseUnknown(command, occurrence);
    const spec = optionTable[key as OptionKey];
    if (key in values) throw new UsageError(`--${flagName(key)} is given more than once; give it once.`);
    if (spec.cli === 'boolean' && typeof value !== 'boolean') {
      throw new UsageError(`${typed} is a switch and takes no value (got ${JSON.stringify(value)}).`);
    }
    if (spec.cli === 'string' && typeof value !== 'string') {
      throw new UsageError(
        value === false
          ? `${typed}: --${flagName(key)} takes a value and has no --no- form.`
          : `${typed} needs a value: ${typed} <value>.`,
      );
    }
    values[key as OptionKey] = value;
  }
  if (!help) checkPositionals(command, parsed.positionals);
  return { values, positionals: parsed.positionals, help };
}

/**
 * The answers after `env add <name>`: the environment inserted where the flags say (default: right
 * before production), its account, and everything else as recorded; every rule of the answers checked
 * again (name, count, account), and a VPC CIDR no environment has or had allocated. The order keeps
 * its meaning: the first environment is the one merges deploy to, the last is production, so adding
 * after production must say that the new one becomes production. Writes nothing.
 */
import { parseAccountId } from '../lib/answers/parsers.ts';
import type { Flags, PlatformAnswers } from '../lib/answers/table.ts';
import { completePlatform } from '../lib/answers/validate.ts';
import { UsageError } from '../lib/errors.ts';

function placeOf(from: PlatformAnswers, name: string, flags: Flags): number {
  const envs = from.environments;
  const production = envs[envs.length - 1];
  const known = (flag: 'after' | 'before', env: string) => {
    const at = envs.indexOf(env);
    if (at < 0) throw new UsageError(`--${flag} ${env}: not an environment (${envs.join(', ')}); nothing was written.`);
    return at;
  };
  if (flags.after !== undefined && flags.before !== undefined) {
    throw new UsageError('--after and --before both place the environment: give one of them; nothing was written.');
  }
  const index =
    flags.before !== undefined
      ? known('before', flags.before)
      : flags.after !== undefined
        ? known('after', flags.after) + 1
        : flags.production
          ? envs.length
          : envs.length - 1;
  if (index === envs.length && !flags.production) {
    throw new UsageError(
      `env add ${name} after ${production} makes ${name} production (the last environment) and ${production} an environment ` +
        `before it: say so with --production, or put ${name} before ${production} (the default); nothing was written.`,
    );
  }
  if (flags.production && index !== envs.length) {
    throw new UsageError(
      `--production puts ${name} after ${production}, where production is; --${flags.before !== undefined ? `before ${flags.before}` : `after ${flags.after}`} puts it elsewhere. Give one of them; nothing was written.`,
    );
  }
  return index;
}

export function addedEnvironment(from: PlatformAnswers, name: string, flags: Flags): PlatformAnswers {
  if (from.environments.includes(name)) {
    throw new UsageError(`${name} is already an environment (${from.environments.join(', ')}); nothing was written.`);
  }
  const index = placeOf(from, name, flags);
  const environments = [...from.environments.slice(0, index), name, ...from.environments.slice(index)];
  let accounts = from.accounts;
  if (flags.account !== undefined) {
    const parsed = parseAccountId(flags.account);
    if ('error' in parsed) throw new UsageError(`--account ${flags.account}: ${parsed.error}; nothing was written.`);
    if (parsed.value !== from.awsAccountId) accounts = { ...from.accounts, [name]: parsed.value };
  }
  // Every rule again: the name, ten environments at most, and a CIDR allocated once for the new one.
  return completePlatform({ ...from, environments, accounts }, false);
}

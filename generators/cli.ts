/**
 * The package's own command, `gitops-platform`, for machines where `yo` cannot run (yo refuses
 * root, and CI containers run as root). It runs the same generator classes through
 * yeoman-environment, so both paths share options, prompts and behaviour. --help is printed from
 * the options table, without creating a Yeoman environment.
 */

import { readFileSync } from 'node:fs';
import { createEnv } from 'yeoman-environment';
import { newCommand } from './app/command.ts';
import NewPlatformGenerator from './app/index.ts';
import { envAddCommand } from './env-add/command.ts';
import AddEnvironmentGenerator from './env-add/index.ts';
import { envRemoveCommand } from './env-remove/command.ts';
import RemoveEnvironmentGenerator from './env-remove/index.ts';
import { type CommandSpec, positionalsUsage } from './lib/answers/table.ts';
import { helpRows } from './lib/answers/yeoman.ts';
import { CommandError } from './lib/errors.ts';
import { asReported, guardSignals, interruptedBy } from './lib/process/interrupt.ts';
import { generatorVersion } from './lib/version.ts';
import { serviceCommand } from './service/command.ts';
import AddServiceGenerator from './service/index.ts';
import { serviceRemoveCommand } from './service-remove/command.ts';
import RemoveServiceGenerator from './service-remove/index.ts';
import { upgradeCommand } from './upgrade/command.ts';
import UpgradeGenerator from './upgrade/index.ts';
import { REPLAY_VARIABLE, replayHere } from './upgrade/replay.ts';

/** Each command: its spec (options, help, namespace) and its generator class. */
const commands = {
  new: { spec: newCommand, generator: NewPlatformGenerator },
  service: { spec: serviceCommand, generator: AddServiceGenerator },
  upgrade: { spec: upgradeCommand, generator: UpgradeGenerator },
  'env add': { spec: envAddCommand, generator: AddEnvironmentGenerator },
  'env remove': { spec: envRemoveCommand, generator: RemoveEnvironmentGenerator },
  'service remove': { spec: serviceRemoveCommand, generator: RemoveServiceGenerator },
} satisfies Record<string, { spec: CommandSpec; generator: unknown }>;

function commandHelp(command: CommandSpec): string {
  const rows = helpRows(command);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `${command.summary}.`,
    '',
    `Usage: ${command.usage}`,
    `   or: yo ${command.namespace.replace(':app', '')}${positionalsUsage(command)} [options]`,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    `  ${'--help'.padEnd(width)}  Show this help`,
  ].join('\n');
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    `gitops-platform ${generatorVersion}: a production-grade GitOps platform on AWS, in one command.`,
    '',
    'Usage: gitops-platform <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'Run `gitops-platform help <command>` (or `<command> --help`) for its options; `--version` prints the version.',
  ].join('\n');
}

/** The help of every command of a group of two-word commands (`env add`, `env remove`). */
function groupHelp(group: string, incomplete = false): number {
  const members = Object.values(commands).filter((c) => c.spec.name.startsWith(`${group} `));
  const text = members.map((c) => commandHelp(c.spec)).join('\n\n');
  if (incomplete) console.error(text);
  else console.log(text);
  return incomplete ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  // `env add`, `env remove` and `service remove` are commands of two words; `env` alone (or with
  // --help) is the help of both env commands.
  const help = ['--help', '-h'];
  // (`env` alone lacks its command: the help, and exit 1, as for no command at all.)
  if (argv[0] === 'env' && (argv.length === 1 || help.includes(argv[1]))) return groupHelp('env', argv.length === 1);
  const twoWords = argv.length > 1 && (argv[0] === 'env' || `${argv[0]} ${argv[1]}` in commands);
  const [name, ...rest] = twoWords ? [`${argv[0]} ${argv[1]}`, ...argv.slice(2)] : argv;
  if (name === 'help' && rest.length > 0) {
    // `help <command>` is `<command> --help`.
    const topic = (commands as Record<string, (typeof commands)[keyof typeof commands]>)[rest.join(' ')];
    if (!topic && rest.join(' ') === 'env') return groupHelp('env');
    if (!topic) {
      console.error(`Unknown command "${rest.join(' ')}" for help.\n\n${mainHelp()}`);
      return 1;
    }
    console.log(commandHelp(topic.spec));
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    console.log(generatorVersion);
    return 0;
  }
  if (name === 'replay' && process.env[REPLAY_VARIABLE] === '1') {
    // Internal, for upgrade (replay.ts sets the variable): renders what this version wrote
    // (requests as JSON on stdin). Without the variable it is an unknown command like any other.
    const { requests } = JSON.parse(readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(replayHere(requests)));
    return 0;
  }
  const command = (commands as Record<string, (typeof commands)[keyof typeof commands]>)[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${mainHelp()}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(command.spec));
    return 0;
  }
  // From here to the end of the run, SIGINT and SIGTERM are failures that undo the change.
  const release = guardSignals();
  try {
    const env = createEnv({ skipInstall: true });
    env.register(command.generator, { namespace: command.spec.namespace });
    await env.run([command.spec.namespace, ...rest]);
    if (interruptedBy()) console.error('Interrupted after the change was complete; it was kept.');
  } catch (error) {
    return reportFailure(asReported(error));
  } finally {
    release();
  }
  // upgrade reports pending changes (2) and conflicts (3) through the exit code.
  return Number(process.exitCode ?? 0);
}

/**
 * One failure, in the user's terms: our errors by their message alone, anything else (a bug, a
 * system error) by its message after the command's name; the stack trace only with DEBUG=1.
 */
function reportFailure(error: unknown): number {
  const debug = Boolean(process.env.DEBUG) && process.env.DEBUG !== '0';
  const exitCode = error instanceof CommandError ? error.exitCode : 1;
  if (debug) console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  else if (error instanceof CommandError) console.error(error.message);
  else console.error(`gitops-platform: ${error instanceof Error ? error.message : String(error)}`);
  return exitCode;
}

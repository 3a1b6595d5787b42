/**
 * The package's own command, `gitops-platform`, for machines where `yo` cannot run (yo refuses
 * root, and CI containers run as root). It runs the same generator classes through
 * yeoman-environment, so both paths share options, prompts and behaviour. --help is printed from
 * the options table, without creating a Yeoman environment.
 */

import { readFileSync } from 'node:fs';
import { createEnv } from 'yeoman-environment';
import NewPlatformGenerator from './app/index.ts';
import { UsageError } from './lib/errors.ts';
import { helpRows } from './lib/generator-options.ts';
import { replayHere } from './lib/replay.ts';
import { generatorVersion } from './lib/version.ts';
import AddServiceGenerator from './service/index.ts';
import UpgradeGenerator from './upgrade/index.ts';

interface Command {
  summary: string;
  usage: string;
  namespace: string;
  /** Positional arguments, as shown after the yo namespace. */
  args: string;
  generator: unknown;
}

const commands = {
  new: {
    summary: 'Generate <org>-infra, <org>-gitops and the first service repo in one workspace folder',
    usage: 'gitops-platform new [options]',
    namespace: 'gitops-platform:app',
    args: '',
    generator: NewPlatformGenerator,
  },
  service: {
    summary: 'Add a service: its app repo, plus a branch with one commit in the infra and GitOps repos',
    usage: 'gitops-platform service <name> [options]',
    namespace: 'gitops-platform:service',
    args: ' <name>',
    generator: AddServiceGenerator,
  },
  upgrade: {
    summary: 'Bring the current templates (and changed answers) into the repos, keeping every hand edit',
    usage: 'gitops-platform upgrade [options]   (inside one repo, or in the workspace for all)',
    namespace: 'gitops-platform:upgrade',
    args: '',
    generator: UpgradeGenerator,
  },
} satisfies Record<string, Command>;

function commandHelp(name: keyof typeof commands, command: Command): string {
  const rows = helpRows(name);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `${command.summary}.`,
    '',
    `Usage: ${command.usage}`,
    `   or: yo ${command.namespace.replace(':app', '')}${command.args} [options]`,
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
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `gitops-platform <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    console.log(generatorVersion);
    return 0;
  }
  if (name === 'replay') {
    // Internal, for upgrade: renders what this version wrote (requests as JSON on stdin).
    const { requests } = JSON.parse(readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(replayHere(requests)));
    return 0;
  }
  const command = (commands as Record<string, Command>)[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${mainHelp()}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(name as keyof typeof commands, command));
    return 0;
  }
  const env = createEnv({ skipInstall: true });
  env.register(command.generator, { namespace: command.namespace });
  try {
    await env.run([command.namespace, ...rest]);
    // upgrade reports pending changes (2) and conflicts (3) through the exit code.
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return error.exitCode;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}

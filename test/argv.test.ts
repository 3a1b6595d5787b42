/**
 * The strict command line (generators/lib/answers/argv.ts): every misuse is refused with a message
 * naming the word that is wrong, for the bin's raw words and for yo's parsed flags alike.
 */
import assert from 'node:assert/strict';
import { newCommand } from '../generators/app/command.ts';
import { parseCommandLine } from '../generators/lib/answers/argv.ts';
import type { CommandSpec } from '../generators/lib/answers/table.ts';
import { serviceCommand } from '../generators/service/command.ts';
import { upgradeCommand } from '../generators/upgrade/command.ts';

const command = { new: newCommand, service: serviceCommand, upgrade: upgradeCommand } as const;

/** [command, raw words, the message expected] */
const misuse: [keyof typeof command, string[], RegExp][] = [
  ['new', ['--defaults', '--dryrun'], /^Unknown option --dryrun for new; did you mean --dry-run\?/],
  ['new', ['--orgg', 'x'], /^Unknown option --orgg for new; did you mean --org\?/],
  ['new', ['--dry'], /^Unknown option --dry for new; did you mean --dry-run\?/],
  ['new', ['--foo'], /^Unknown option --foo for new \(see `gitops-platform new --help`\)\.$/],
  ['new', ['-x'], /^Unknown option -x for new /],
  ['new', ['--region', 'eu-west-1'], /^Unknown option --region for new; did you mean --aws-region\?/],
  ['new', ['--org', 'a', '--org', 'b'], /^--org is given more than once; give it once\.$/],
  ['new', ['--org=a', '--org', 'b'], /^--org is given more than once/],
  ['new', ['--defaults', '--defaults'], /^--defaults is given more than once/],
  ['new', ['--dry-run', '--no-dry-run'], /^--dry-run is given more than once/],
  ['new', ['foo'], /^new takes no arguments; unexpected: "foo"/],
  ['new', ['--defaults', '--', '--org'], /^new takes no arguments; unexpected: "--org"/],
  ['new', ['--org'], /^--org needs a value: --org <value>\.$/],
  ['new', ['--org', '--defaults'], /^--org needs a value/],
  ['new', ['--no-org'], /^--no-org: --org takes a value and has no --no- form\.$/],
  ['new', ['--defaults=yes'], /^--defaults is a switch and takes no value \(got "yes"\)\.$/],
  ['new', ['--skip-install=false'], /^--skip-install is a switch and takes no value/],
  ['new', ['--infra', 'x'], /^new does not take --infra; see `gitops-platform new --help`\.$/],
  ['new', ['--check'], /^new does not take --check/],
  ['new', ['--current-branch'], /^new does not take --current-branch/],
  ['service', [], /^service needs <name>\.\n\nUsage: gitops-platform service <name> \[options\]$/],
  ['service', ['--port', '8081'], /^service needs <name>\./],
  ['service', ['foo', 'bar'], /^service takes one argument, <name>; unexpected: "bar"/],
  ['service', ['foo', '--org', 'acme'], /^service does not take --org \(org names the repos and cannot change\)/],
  ['service', ['foo', '--defaults'], /^service does not take --defaults/],
  ['service', ['foo', '--prot', '8081'], /^Unknown option --prot for service; did you mean --port\?/],
  ['service', ['foo', '--port', '1', '--port', '2'], /^--port is given more than once/],
  ['service', ['foo', '--no-commit', '--commit'], /^--commit is given more than once/],
  [
    'upgrade',
    ['--kubernetes-version', '1.35', '--dryrun'],
    /^Unknown option --dryrun for upgrade; did you mean --dry-run\?/,
  ],
  ['upgrade', ['--org', 'x'], /^upgrade does not take --org \(org names the repos and cannot change\)/],
  ['upgrade', ['now'], /^upgrade takes no arguments; unexpected: "now"/],
  ['upgrade', ['--service', 'x'], /^upgrade does not take --service/],
  ['upgrade', ['--check=1'], /^--check is a switch and takes no value/],
];

describe('the command line is strict', () => {
  for (const [name, words, message] of misuse) {
    it(`refuses ${name} ${words.join(' ') || '(no arguments)'}`, () => {
      assert.throws(() => parseCommandLine(command[name], words), { name: 'UsageError', message });
    });
  }

  it('reads flags, --flag=value, --no- switches and the positional name', () => {
    const line = parseCommandLine(serviceCommand, ['billing', '--port=8081', '--no-commit', '--dry-run']);
    assert.deepEqual(line, {
      values: { port: '8081', commit: false, dryRun: true },
      positionals: ['billing'],
      help: false,
    });
  });

  it('takes --help whatever else is missing (the caller prints the help)', () => {
    assert.equal(parseCommandLine(serviceCommand, ['--help']).help, true);
    assert.equal(parseCommandLine(serviceCommand, ['-h']).help, true);
  });

  describe('flags that yo parsed (an object; yo adds a kebab-case twin of each)', () => {
    const yo = (spec: CommandSpec, flags: Record<string, unknown>, args: string[] = []) =>
      parseCommandLine(spec, args, flags);

    it('reads them like the words', () => {
      assert.deepEqual(yo(newCommand, { dryRun: true, 'dry-run': true, org: 'acme', color: false }).values, {
        dryRun: true,
        org: 'acme',
      });
    });
    it('refuses an unknown one, with the suggestion', () => {
      assert.throws(() => yo(newCommand, { dryrun: true }), {
        message: /^Unknown option --dryrun for new; did you mean --dry-run\?/,
      });
    });
    it('refuses a repeated one (yo makes it an array)', () => {
      assert.throws(() => yo(newCommand, { org: ['a', 'b'] }), { message: /^--org is given more than once/ });
    });
    it('refuses a switch given a value and an option given none', () => {
      assert.throws(() => yo(newCommand, { defaults: 'yes' }), { message: /^--defaults is a switch/ });
      assert.throws(() => yo(newCommand, { org: true }), { message: /^--org needs a value/ });
    });
    it('refuses extra arguments and a flag of another command', () => {
      assert.throws(() => yo(serviceCommand, {}, ['a', 'b']), { message: /^service takes one argument/ });
      assert.throws(() => yo(upgradeCommand, { org: 'x' }), { message: /^upgrade does not take --org/ });
    });
    it('takes numbers given by code as their text', () => {
      assert.deepEqual(yo(serviceCommand, { port: 8081 }, ['billing']).values, { port: '8081' });
    });
  });
});

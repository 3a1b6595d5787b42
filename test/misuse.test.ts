/**
 * Misuse of the CLI, as a whole process (the bin), one row each: a typo, a bad value, a file in
 * the way, a dirty repo, a destructive change without consent. Every row must exit with its code,
 * say its message in one place (stderr), print no stack trace, and leave the folder it ran in, and
 * every repo in it, exactly as they were.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './support/temp.ts';
import { assertSameState, madeWorkspace, runBin, workspaceState } from './support/workspace.ts';

const gitopsPlatform = (args: string[], cwd: string) => runBin(cwd, args);

function git(dir: string, ...args: string[]) {
  const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
}

/** Where a row runs: an empty folder of the user's, or a workspace `new` made (three environments). */
type Place = 'folder' | 'workspace';

interface Row {
  args: string[];
  /** A fragment (or pattern) of the one-line message on stderr. */
  says: string | RegExp;
  place?: Place;
  exit?: number;
  /** Changes the place first (a file in the way, a dirty repo...). */
  setup?: (dir: string) => void;
}

const file = (name: string, text: string) => (dir: string) => writeFileSync(join(dir, name), text);
const long = 'x'.repeat(200);

const rows: Row[] = [
  // The command line, on its own (issue 10, item 1).
  { args: ['new', '--defaults', '--dryrun'], says: 'Unknown option --dryrun for new; did you mean --dry-run?' },
  { args: ['new', '--orgg', 'x', '--defaults'], says: 'Unknown option --orgg for new; did you mean --org?' },
  { args: ['new', '--foo'], says: 'Unknown option --foo for new' },
  { args: ['new', '-x', '--defaults'], says: 'Unknown option -x for new' },
  { args: ['new', '--defaults', '--org', 'a1', '--org', 'b1'], says: '--org is given more than once; give it once.' },
  { args: ['new', '--defaults', 'extra'], says: 'new takes no arguments; unexpected: "extra"' },
  { args: ['new', '--defaults=yes'], says: '--defaults is a switch and takes no value (got "yes")' },
  { args: ['new', '--defaults', '--org'], says: '--org needs a value: --org <value>.' },
  { args: ['new', '--defaults', '--no-org'], says: '--no-org: --org takes a value and has no --no- form.' },
  { args: ['new', '--defaults', '--commit'], says: 'new does not take --commit' },
  { args: ['new', '--defaults', '--check'], says: 'new does not take --check' },
  { args: ['frobnicate'], says: 'Unknown command "frobnicate".' },
  { args: ['replay'], says: 'Unknown command "replay".' },
  { args: ['help', 'nope'], says: 'Unknown command "nope" for help.' },
  // Answers (items 1 and 8).
  {
    args: ['new', '--defaults', '--accounts', 'dev=111111111111,dev=222222222222'],
    says: 'accounts: "dev=111111111111,dev=222222222222" names "dev" more than once',
  },
  { args: ['new', '--defaults', '--port', '80'], says: 'port: "80" must be an integer from 1024 to 65535' },
  { args: ['new', '--defaults', '--port', 'http'], says: 'port: "http" must be an integer from 1024 to 65535' },
  { args: ['new', '--defaults', '--org', 'Bad_Org'], says: 'org: "Bad_Org" must be a DNS-1123 label' },
  { args: ['new', '--defaults', '--org', long], says: /org: "x+ \.\.\. x+" \(200 characters\) must be 2-32/ },
  { args: ['new', '--defaults', '--environments', 'prod'], says: 'must name at least two environments' },
  { args: ['new', '--defaults', '--environments', 'dev,dev'], says: 'environments: "dev,dev" must not repeat "dev"' },
  { args: ['new', '--defaults', '--environments', 'dev,global'], says: 'is reserved' },
  { args: ['new', '--defaults', '--aws-account-id', '1234'], says: 'awsAccountId: "1234" must be exactly 12 digits' },
  { args: ['new', '--defaults', '--aws-region', 'mars-1'], says: 'awsRegion: "mars-1" must be an AWS region' },
  { args: ['new', '--defaults', '--aws-region', 'cn-north-1'], says: 'aws-cn partition, which is not supported' },
  {
    args: ['new', '--defaults', '--kubernetes-version', '1.20'],
    says: 'must be a Kubernetes version supported by EKS',
  },
  { args: ['new', '--defaults', '--domain', 'localhost'], says: 'domain: "localhost" must be a lowercase DNS name' },
  { args: ['new', '--defaults', '--github-owner=-acme'], says: 'must be a GitHub owner name' },
  {
    args: ['new', '--defaults', '--github-owner', '-acme'],
    says: '--github-owner needs a value: --github-owner <value>.',
  },
  { args: ['new', '--defaults', '--service', 'argocd'], says: 'service: "argocd" is reserved' },
  { args: ['new', '--defaults', '--service', 'acme-infra'], says: 'clashes with the repo name acme-infra' },
  { args: ['new', '--defaults', '--service', 'kube-x'], says: 'service: "kube-x" is reserved' },
  {
    args: ['new', '--defaults', '--accounts', 'qa=111111111111'],
    says: 'accounts: "qa" names an environment that is not in environments (dev, prod)',
  },
  { args: ['new'], says: 'org: (missing) is required' },
  // The answers file.
  { args: ['new', '--answers', 'missing.yaml'], says: '--answers: cannot read missing.yaml' },
  { args: ['new', '--answers', 'bad.json'], says: 'is not valid JSON', setup: file('bad.json', '{"org": ') },
  {
    args: ['new', '--answers', 'num.json'],
    says: 'awsAccountId: 123456789012 is a number, which loses leading zeros: quote it',
    setup: file('num.json', '{"org": "acme", "awsAccountId": 123456789012}'),
  },
  {
    args: ['new', '--answers', 'unknown.yaml'],
    says: 'region: "eu-west-1" is not a known answer',
    setup: file('unknown.yaml', 'org: acme\nregion: eu-west-1\n'),
  },
  { args: ['new', '--answers', 'list.yaml'], says: 'must hold a map of answers', setup: file('list.yaml', '- a\n') },
  {
    args: ['new', '--answers', 'twice.json'],
    says: 'gives "org" more than once',
    setup: file('twice.json', '{"org": "acme", "org": "globex"}'),
  },
  {
    args: ['new', '--answers', 'twice.yaml'],
    says: 'is not valid YAML: Map keys must be unique',
    setup: file('twice.yaml', 'org: acme\norg: globex\n'),
  },
  // The output folder (item 3), by a dry run too.
  {
    args: ['new', '--defaults', '--output', 'afile'],
    says: '--output afile: is a file, not a folder',
    setup: file('afile', 'x'),
  },
  {
    args: ['new', '--defaults', '--dry-run', '--output', 'afile'],
    says: '--output afile: is a file, not a folder',
    setup: file('afile', 'x'),
  },
  {
    args: ['new', '--defaults', '--output', 'afile/x'],
    says: '--output afile/x: afile is a file, not a folder',
    setup: file('afile', 'x'),
  },
  {
    args: ['new', '--defaults', '--output', '/proc/gitops-platform'],
    says: /--output \/proc\/gitops-platform: cannot (create|write in)/,
  },
  // A dry run refuses what the run would (root may write in /proc, but no folder can be made there).
  {
    args: ['new', '--defaults', '--dry-run', '--output', '/proc/gitops-platform'],
    says: /--output \/proc\/gitops-platform: cannot (create \/proc\/gitops-platform|write in \/proc)/,
  },
  {
    args: ['new', '--defaults', '--dry-run', '--output', '/sys/gitops-platform/ws'],
    says: /--output \/sys\/gitops-platform\/ws: cannot (create \/sys\/gitops-platform |write in \/sys)/,
  },
  {
    args: ['new', '--defaults'],
    says: 'acme-infra already exists',
    setup: (dir) => mkdirSync(join(dir, 'acme-infra')),
  },
  // service (items 1, 3 and 7).
  {
    args: ['service'],
    says: 'service needs <name>.\n\nUsage: gitops-platform service <name> [options]',
    place: 'workspace',
  },
  { args: ['service', 'foo', 'bar'], says: 'unexpected: "bar"', place: 'workspace' },
  { args: ['service', 'web', '--org', 'x'], says: 'service does not take --org', place: 'workspace' },
  { args: ['service', 'web', '--dryrun'], says: 'did you mean --dry-run?', place: 'workspace' },
  { args: ['service', 'api'], says: 'service: "api" already exists in this platform', place: 'workspace' },
  { args: ['service', 'argocd'], says: 'service: "argocd" is reserved', place: 'workspace' },
  { args: ['service', 'Web_1'], says: 'service: "Web_1" must be a DNS-1123 label', place: 'workspace' },
  { args: ['service', 'acme-gitops'], says: 'clashes with the repo name acme-gitops', place: 'workspace' },
  { args: ['service', 'web', '--port', '80'], says: 'port: "80" must be an integer', place: 'workspace' },
  {
    args: ['service', 'web'],
    says: 'acme-gitops has uncommitted changes',
    place: 'workspace',
    setup: (ws) => writeFileSync(join(ws, 'acme-gitops', 'notes.txt'), 'wip\n'),
  },
  {
    args: ['service', 'web'],
    says: 'acme-infra already has a branch add-service-web',
    place: 'workspace',
    setup: (ws) => git(join(ws, 'acme-infra'), 'branch', 'add-service-web'),
  },
  {
    args: ['service', 'web'],
    says: 'acme-infra is on a detached HEAD',
    place: 'workspace',
    setup: (ws) => git(join(ws, 'acme-infra'), 'checkout', '--quiet', '--detach'),
  },
  {
    args: ['service', 'web'],
    says: 'web already exists',
    place: 'workspace',
    setup: (ws) => mkdirSync(join(ws, 'web')),
  },
  {
    args: ['service', 'web', '--output', 'afile'],
    says: '--output afile: is a file',
    place: 'workspace',
    setup: file('afile', 'x'),
  },
  {
    args: ['service', 'web', '--infra', 'nowhere'],
    says: /--infra: .*nowhere is not a infra repo/,
    place: 'workspace',
  },
  { args: ['service', 'web'], says: 'No infra repo made by generator-gitops-platform' },
  // upgrade (item 6).
  { args: ['upgrade', '--org', 'globex'], says: 'upgrade does not take --org', place: 'workspace' },
  { args: ['upgrade', 'extra'], says: 'upgrade takes no arguments', place: 'workspace' },
  {
    args: ['upgrade', '--kubernetes-version', '1.35', '--dryrun'],
    says: 'Unknown option --dryrun for upgrade',
    place: 'workspace',
  },
  {
    args: ['upgrade', '--allow-destroy=yes'],
    says: '--allow-destroy is a switch and takes no value',
    place: 'workspace',
  },
  { args: ['upgrade', '--kubernetes-version', '1.33'], says: 'EKS cannot downgrade a cluster', place: 'workspace' },
  { args: ['upgrade', '--environments', 'dev'], says: 'must name at least two environments', place: 'workspace' },
  {
    args: ['upgrade', '--environments', 'dev,prod', '--commit'],
    says: 'environment staging is removed',
    place: 'workspace',
  },
  {
    args: ['upgrade', '--aws-region', 'eu-west-1'],
    says: 'the region moves from us-east-1 to eu-west-1',
    place: 'workspace',
  },
  {
    args: ['upgrade', '--accounts', 'prod=222222222222'],
    says: 'environment prod moves from account 123456789012 to 222222222222',
    place: 'workspace',
  },
  {
    args: ['upgrade', '--domain', 'example.com'],
    says: 'acme-infra has uncommitted changes',
    place: 'workspace',
    setup: (ws) => writeFileSync(join(ws, 'acme-infra', 'README.md'), 'changed\n'),
  },
  {
    args: ['upgrade'],
    says: /manifest\.json is not valid JSON .*; restore it from git\./,
    place: 'workspace',
    setup: (ws) => writeFileSync(join(ws, 'acme-gitops', '.gitops-platform', 'manifest.json'), '{'),
  },
  { args: ['upgrade'], says: 'No repo made by generator-gitops-platform in or under' },
  // service remove (issue 13, item 3).
  { args: ['service', 'remove'], says: 'Usage: gitops-platform service remove <name>', place: 'workspace' },
  { args: ['service', 'remove', 'api', 'web'], says: 'unexpected: "web"', place: 'workspace' },
  {
    args: ['service', 'remove', 'api', '--purge'],
    says: 'Unknown option --purge for service remove',
    place: 'workspace',
  },
  {
    args: ['service', 'remove', 'api', '--port', '9000'],
    says: 'service remove does not take --port',
    place: 'workspace',
  },
  {
    args: ['service', 'remove', 'api', '--allow-destroy'],
    says: "api is the platform's only service",
    place: 'workspace',
  },
  {
    args: ['service', 'remove', 'web', '--allow-destroy'],
    says: 'web is not a service of this platform (api)',
    place: 'workspace',
  },
  { args: ['service', 'remove', 'api'], says: "api is the platform's only service", place: 'workspace' },
];

describe('misuse of the CLI: refused, in one line, changing nothing', function () {
  this.timeout(60_000);
  let base = '';
  before(() => {
    base = madeWorkspace('misuse-base', ['--environments', 'dev,staging,prod']);
  });

  it(`has at least 60 rows (${rows.length})`, () => {
    assert.ok(rows.length >= 60);
  });

  for (const row of rows) {
    const place = row.place ?? 'folder';
    const shown = row.args.map((a) => (a.length > 40 ? `<${a.length} characters>` : a)).join(' ');
    it(`${shown}${place === 'workspace' ? ' (in a workspace)' : ''}${row.setup ? ', set up' : ''}`, () => {
      const dir = tempDir('misuse');
      if (place === 'workspace') cpSync(base, dir, { recursive: true });
      else writeFileSync(join(dir, 'notes.txt'), 'mine\n');
      row.setup?.(dir);
      const before = workspaceState(dir);
      const result = gitopsPlatform(row.args, dir);
      assert.equal(result.status, row.exit ?? 1, `exit ${result.status}\n${result.stdout}\n${result.stderr}`);
      const says = typeof row.says === 'string' ? row.says : undefined;
      if (says) assert.ok(result.stderr.includes(says), `stderr lacks ${JSON.stringify(says)}:\n${result.stderr}`);
      else assert.match(result.stderr, row.says as RegExp);
      assert.doesNotMatch(result.stderr, /\n\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
      assert.doesNotMatch(result.stderr, /An error occured while running/, 'no Yeoman banner');
      assertSameState(workspaceState(dir), before, 'the folder or a repo in it changed');
    });
  }
});

/**
 * The two ways users run the generator, as whole processes: the package's own bin (which works as
 * root, as in CI containers) and `yo gitops-platform` (which refuses root, so it runs as a non-root
 * user). Both need the build (`npm run build`, which `npm test` runs first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCommand } from '../generators/app/command.ts';
import { envAddCommand } from '../generators/env-add/command.ts';
import { envRemoveCommand } from '../generators/env-remove/command.ts';
import { flagName } from '../generators/lib/answers/table.ts';
import { helpRows } from '../generators/lib/answers/yeoman.ts';
import { serviceCommand } from '../generators/service/command.ts';
import { upgradeCommand } from '../generators/upgrade/command.ts';
import { REPLAY_VARIABLE, replayHere } from '../generators/upgrade/replay.ts';
import { cannotRun } from './support/skips.ts';
import { tempDir } from './support/temp.ts';
import { answersFor, bin, madeWorkspace, repoRoot, runBin, treeState, workspaceState } from './support/workspace.ts';

function gitopsPlatform(args: string[], cwd: string) {
  // stdin is not a terminal here, exactly like CI.
  const result = runBin(cwd, args);
  // Yeoman's adapter logs to stderr; help goes to stdout. Tests read what a user sees.
  return { ...result, output: `${result.stdout}${result.stderr}` };
}

describe('gitops-platform bin', () => {
  before(() => {
    if (!existsSync(join(repoRoot, 'dist', 'cli.cjs'))) {
      throw new Error('dist/cli.cjs is missing: run `npm run build` (npm test does it first)');
    }
  });

  it(`new --defaults generates the workspace (running as ${process.getuid?.() === 0 ? 'root' : 'a non-root user'})`, function () {
    // Includes the service repo's `npm install --package-lock-only` (seconds, more on a cold npm cache).
    this.timeout(60_000);
    const dir = tempDir('bin');
    const result = gitopsPlatform(['new', '--defaults', '--output', 'platform'], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(join(dir, 'platform')).sort(), ['acme-gitops', 'acme-infra', 'api']);
    assert.match(result.output, /Wrote \d+ files in 3 repos/);
    assert.match(result.output, /Next steps/);
  });

  it('new --help lists every option with its description and default', () => {
    const result = gitopsPlatform(['new', '--help'], repoRoot);
    assert.equal(result.status, 0, result.stderr);
    for (const key of newCommand.options) assert.match(result.stdout, new RegExp(`--${flagName(key)}\\b`));
    assert.match(result.stdout, /--aws-region <value> +AWS region .*\(default: us-east-1\)/);
    assert.match(result.stdout, /--environments <value> +.*\(default: dev,prod\)/);
  });

  for (const command of [newCommand, serviceCommand, upgradeCommand, envAddCommand, envRemoveCommand]) {
    it(`${command.name} --help lists every option of the command, and the README documents each`, () => {
      const result = gitopsPlatform([...command.name.split(' '), '--help'], repoRoot);
      assert.equal(result.status, 0, result.stderr);
      const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
      for (const [flag] of helpRows(command)) {
        const name = flag.split(' ')[0];
        assert.ok(result.stdout.includes(name), `${command.name} --help lacks ${name}`);
        assert.ok(readme.includes(`\`${name}`), `README lacks ${name}`);
      }
    });
  }

  /** A folder that already holds the user's own file, and its state to compare with afterwards. */
  function usersFolder() {
    const dir = tempDir('bin');
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    return { dir, before: workspaceState(dir) };
  }

  it('without a terminal and without answers, lists what is missing and exits 1 at once', () => {
    const { dir, before } = usersFolder();
    const result = gitopsPlatform(['new'], dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /org: \(missing\) is required/);
    assert.match(result.stderr, /awsAccountId: \(missing\) is required/);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'a usage error prints no stack trace');
    assert.deepEqual(workspaceState(dir), before);
  });

  it('a bad answer exits 1 with field, value and rule, and writes nothing', () => {
    const { dir, before } = usersFolder();
    const result = gitopsPlatform(['new', '--defaults', '--port', '80', '--org', 'Bad_Org'], dir);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /port: "80" must be an integer from 1024 to 65535/);
    assert.match(result.stderr, /org: "Bad_Org" must be a DNS-1123 label/);
    assert.deepEqual(workspaceState(dir), before);
  });

  it('--dry-run prints the answers, each repo as a folder tree with counts and the steps, on stdout, and writes nothing', () => {
    const { dir, before } = usersFolder();
    const result = gitopsPlatform(['new', '--defaults', '--dry-run', '--skip-install'], dir);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '', 'a dry run has no diagnostics');
    // Every answer, defaults included, and unset ones as (none).
    assert.match(result.stdout, /^Answers:\n {2}org +acme\n {2}githubOwner +acme\n/m);
    assert.match(result.stdout, /^ {2}domain +\(none\)$/m);
    assert.match(result.stdout, /^ {2}port +8080$/m);
    assert.match(result.stdout, /^acme-gitops\/ {2}44 files$/m);
    assert.match(result.stdout, /^ {2}charts\/api\/ {2}14\n {4}templates\/ {2}10$/m);
    assert.match(result.stdout, /^ {2}environments\/ {2}14\n {4}dev\/ {2}7\n {4}prod\/ {2}7$/m);
    assert.match(result.stdout, /^ {2}2\. No package-lock\.json for api\/ \(--skip-install\)\.$/m);
    assert.match(result.stdout, /^ {2}3\. git init each repo on main and make its one commit as .+ <.+>/m);
    assert.match(result.stdout, /Dry run: nothing was written/);
    assert.deepEqual(workspaceState(dir), before);
  });

  it('--json prints one JSON document on stdout, a failure too', () => {
    const { dir, before } = usersFolder();
    const dry = gitopsPlatform(['new', '--defaults', '--dry-run', '--json'], dir);
    assert.equal(dry.status, 0, dry.stderr);
    const report = JSON.parse(dry.stdout);
    assert.equal(report.command, 'new');
    assert.equal(report.exitCode, 0);
    assert.deepEqual(
      report.repos.map((r: { name: string }) => r.name),
      ['acme-infra', 'acme-gitops', 'api'],
    );
    assert.ok(report.repos[1].files.includes('charts/api/values.yaml'));
    assert.equal(report.answers.platform.org, 'acme');
    const refused = gitopsPlatform(['new', '--defaults', '--json', '--port', '80'], dir);
    assert.equal(refused.status, 1);
    const failure = JSON.parse(refused.stdout);
    assert.equal(failure.exitCode, 1);
    assert.equal(failure.meaning, 'error: nothing was written');
    assert.match(failure.error, /port: "80" must be an integer from 1024 to 65535/);
    assert.match(refused.stderr, /port: "80" must be an integer/, 'the error is on stderr as well');
    assert.deepEqual(workspaceState(dir), before);
  });

  for (const [words, message] of [
    [['new', '--defaults', '--dryrun'], /Unknown option --dryrun for new; did you mean --dry-run\?/],
    [['new', '--defaults', '--org', 'a', '--org', 'b'], /--org is given more than once/],
    [['new', '--defaults', 'extra'], /new takes no arguments; unexpected: "extra"/],
    [['service'], /service needs <name>\.\n\nUsage: gitops-platform service <name>/],
    [['upgrade', '--kubernetes-version', '1.35', '--dryrun'], /Unknown option --dryrun for upgrade/],
  ] as [string[], RegExp][]) {
    it(`refuses ${words.join(' ')} with exit 1, writing nothing`, () => {
      const dir = tempDir('bin-misuse');
      writeFileSync(join(dir, 'notes.txt'), 'mine\n');
      const before = workspaceState(dir);
      const result = gitopsPlatform(words, dir);
      assert.equal(result.status, 1, result.output);
      assert.match(result.stderr, message);
      assert.deepEqual(workspaceState(dir), before);
    });
  }

  it('an unknown command exits 1 with the list of commands', () => {
    const result = gitopsPlatform(['frobnicate'], repoRoot);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Unknown command "frobnicate"/);
    assert.match(result.stderr, /new +Generate/);
  });

  it('`help env`, `env --help` and `env` alone print the help of env add and env remove (`env` alone exits 1)', () => {
    for (const words of [['help', 'env'], ['env', '--help'], ['env']]) {
      const result = gitopsPlatform(words, repoRoot);
      const out = words.length === 1 ? result.stderr : result.stdout;
      assert.equal(result.status, words.length === 1 ? 1 : 0, words.join(' '));
      assert.match(out, /Usage: gitops-platform env add <name>[\s\S]*Usage: gitops-platform env remove <name>/);
    }
    const service = gitopsPlatform(['help', 'service', 'remove'], repoRoot);
    assert.equal(service.status, 0);
    assert.match(service.stdout, /Usage: gitops-platform service remove <name>/);
  });
});

describe('gitops-platform bin: reports of service and upgrade', function () {
  this.timeout(60_000);
  const workspace = () => madeWorkspace('bin-reports');

  it('puts what it wrote on stdout and nothing on stderr when all goes well', () => {
    const dir = tempDir('bin-streams');
    const made = gitopsPlatform(['new', '--defaults', '--skip-install', '--output', 'ws'], dir);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /^Wrote 147 files in 3 repos/);
    assert.equal(made.stderr, '');
  });

  it('service --dry-run lists every file with its action; --diff adds a unified diff of each; --json holds both', () => {
    const ws = workspace();
    const before = workspaceState(ws);
    const plan = gitopsPlatform(['service', 'web', '--dry-run', '--skip-install'], ws);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /^acme-infra\/ \(new branch add-service-web from main\)\n {2}change {2}README\.md\n {2}change {2}services\.json$/m,
    );
    assert.match(plan.stdout, /^ {2}add {5}charts\/web\/Chart\.yaml$/m);
    assert.match(plan.stdout, /^ {2}change {2}\.yo-rc\.json$/m);
    const diff = gitopsPlatform(['service', 'web', '--dry-run', '--diff', '--skip-install'], ws);
    assert.match(diff.stdout, /^--- a\/services\.json\n\+\+\+ b\/services\.json\n@@ .* @@\n/m);
    assert.match(diff.stdout, /^\+ {4}"name": "web",$/m);
    const json = JSON.parse(
      gitopsPlatform(['service', 'web', '--dry-run', '--diff', '--json', '--skip-install'], ws).stdout,
    );
    const infra = json.repos.find((r: { name: string }) => r.name === 'acme-infra');
    assert.equal(infra.branch, 'add-service-web');
    assert.equal(infra.from, 'main');
    const services = infra.files.find((f: { path: string }) => f.path === 'services.json');
    assert.equal(services.action, 'change');
    assert.match(services.diff, /^\+ {4}"name": "web",$/m);
    assert.deepEqual(workspaceState(ws), before, 'dry runs wrote nothing');
  });

  it('skips a dangling symlink in the workspace, and prints a stack trace only with DEBUG=1', () => {
    const ws = workspace();
    symlinkSync(join(ws, 'nowhere'), join(ws, 'dangling'));
    const check = gitopsPlatform(['upgrade', '--check'], ws);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /Up to date\./);
    // A corrupt manifest: one line, unless DEBUG=1 asks for the stack.
    writeFileSync(join(ws, 'acme-infra', '.gitops-platform', 'manifest.json'), '{');
    const plain = gitopsPlatform(['upgrade', '--check'], ws);
    assert.equal(plain.status, 1);
    assert.equal(plain.stderr.trim().split('\n').length, 1, plain.stderr);
    const debug = spawnSync(process.execPath, [bin, 'upgrade', '--check'], {
      cwd: ws,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, DEBUG: '1' },
      timeout: 60_000,
    });
    assert.equal(debug.status, 1);
    assert.match(debug.stderr, /manifest\.json is not valid JSON/);
    assert.match(debug.stderr, /\n\s+at .+:\d+:\d+/, 'the stack trace');
  });

  it('upgrade --check --json: exit 2 and every pending file with its action; up to date: exit 0', () => {
    const ws = workspace();
    const check = gitopsPlatform(['upgrade', '--domain', 'example.com', '--check', '--json'], ws);
    assert.equal(check.status, 2, check.stderr);
    const report = JSON.parse(check.stdout);
    assert.equal(report.exitCode, 2);
    assert.equal(report.meaning, 'pending: --check or --dry-run found changes to make');
    const gitops = report.repos.find((r: { name: string }) => r.name === 'acme-gitops');
    assert.deepEqual(
      gitops.files.filter((f: { action: string }) => f.action === 'added').map((f: { path: string }) => f.path),
      // A domain brings the load balancer controller and the GitHub webhook's secret.
      [
        'argocd/dev/platform/argocd-github-webhook.yaml',
        'argocd/dev/platform/aws-load-balancer-controller.yaml',
        'argocd/prod/platform/argocd-github-webhook.yaml',
        'argocd/prod/platform/aws-load-balancer-controller.yaml',
      ],
    );
    const current = gitopsPlatform(['upgrade', '--check', '--json'], ws);
    assert.equal(current.status, 0);
    assert.equal(JSON.parse(current.stdout).outcome, 'Up to date.');
  });
});

describe('gitops-platform bin: its bundle', () => {
  it('renders with its precompiled templates exactly what the sources render', function () {
    this.timeout(30_000);
    for (const set of ['minimal', 'full'] as const) {
      const { platform, service } = answersFor(set);
      const requests = (['infra', 'gitops', 'app'] as const).map((kind) => ({
        kind,
        service: kind === 'app' ? service.name : undefined,
        answers: platform,
        services: [service],
      }));
      // The internal replay command renders in the bundle, as upgrade asks an older version to.
      const result = spawnSync(process.execPath, [bin, 'replay'], {
        input: JSON.stringify({ requests }),
        encoding: 'utf8',
        env: { ...process.env, [REPLAY_VARIABLE]: '1' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 30_000,
      });
      assert.equal(result.status, 0, result.stderr);
      const bundled = JSON.parse(result.stdout).results;
      assert.deepEqual(bundled, replayHere(requests).results, `${set}: the bundle renders differently`);
      assert.ok(bundled.every((r: { files: unknown[] }) => r.files.length > 10));
    }
  });

  it('answers replay only to upgrade (GITOPS_PLATFORM_REPLAY=1); otherwise it is an unknown command', () => {
    const result = spawnSync(process.execPath, [bin, 'replay'], { input: '', encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Unknown command "replay"\./);
  });
});

describe('gitops-platform bin: its code cache', () => {
  it('never runs old code: a rebuilt bundle of the same length gets a cache of its own', () => {
    // A package of the bin and a stand-in bundle; V8 itself checks cached data by length only.
    const root = tempDir('bin-cache');
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist'));
    copyFileSync(join(repoRoot, 'bin', 'gitops-platform.js'), join(root, 'bin', 'gitops-platform.js'));
    const bundle = (word: string) => `exports.main = async () => { console.log('${word}'); return 0; };\n`;
    const home = tempDir('bin-cache-home');
    const runBin = () =>
      spawnSync(process.execPath, [join(root, 'bin', 'gitops-platform.js'), 'new'], {
        encoding: 'utf8',
        env: { ...process.env, HOME: home, XDG_CACHE_HOME: '' },
      });
    writeFileSync(join(root, 'dist', 'cli.cjs'), bundle('one'));
    assert.equal(runBin().stdout, 'one\n');
    assert.equal(runBin().stdout, 'one\n', 'the second run, from the cache');
    writeFileSync(join(root, 'dist', 'cli.cjs'), bundle('two'));
    assert.equal(runBin().stdout, 'two\n');
    assert.equal(readdirSync(join(home, '.cache', 'gitops-platform', 'compile')).length, 2);
  });
});

describe('yo gitops-platform', () => {
  it('installs from the packed package and generates the workspace as a non-root user', function () {
    this.timeout(300_000);
    const dir = tempDir('yo');
    // What users get: the package as npm packs it, installed where yo looks (the local node_modules).
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1) as string);
    writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    // yo too, at the version this repo tests with, next to the generator (as a user's global install would be).
    const yoVersion = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).devDependencies.yo;
    const install = spawnSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, `yo@${yoVersion}`],
      { cwd: dir, encoding: 'utf8', timeout: 180_000 },
    );
    assert.equal(install.status, 0, install.stderr);
    const yo = join(dir, 'node_modules', '.bin', 'yo');
    // A user's own environment: not the npm_config_* that `npm test` sets (its cache is root's).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    Object.assign(env, { HOME: dir, NO_UPDATE_NOTIFIER: '1' });
    // The lockfile step is covered by the app tests; here it would only fill the user's npm cache.
    const yoArgs = ['gitops-platform', '--defaults', '--skip-install', '--output', 'platform', '--no-insight'];
    let command = yo;
    let args = yoArgs;
    if (process.getuid?.() === 0) {
      // yo refuses root; run it as the unprivileged user that .ci/run creates.
      const user = process.env.GITOPS_TEST_USER ?? 'gitops-tester';
      if (spawnSync('id', ['-u', user], { timeout: 10_000 }).status !== 0) {
        cannotRun(this, 'yo-user', `no non-root user "${user}" (.ci/run creates it; or useradd -m ${user})`);
      }
      spawnSync('chown', ['-R', user, dir], { timeout: 30_000 });
      // yo itself comes from this checkout's devDependencies; the user may not be able to traverse
      // the checkout's parents (e.g. /root), so it runs from a copy inside the test folder.
      spawnSync('cp', ['-r', join(repoRoot, 'node_modules'), join(dir, 'tools')], { timeout: 60_000 });
      spawnSync('chown', ['-R', user, join(dir, 'tools')], { timeout: 30_000 });
      command = 'runuser';
      args = [
        '-u',
        user,
        '--',
        'env',
        `HOME=${dir}`,
        'NO_UPDATE_NOTIFIER=1',
        join(dir, 'tools', '.bin', 'yo'),
        ...yoArgs,
      ];
    }
    const result = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', input: '', timeout: 60_000 });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(readdirSync(join(dir, 'platform')).sort(), ['acme-gitops', 'acme-infra', 'api']);
    const help = spawnSync(
      command,
      args.map((a) => (a === '--defaults' ? '--help' : a)),
      {
        cwd: dir,
        env,
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
      },
    );
    assert.match(help.stdout, /--aws-account-id/);
    // The strict command line holds on the yo path too: a typo is refused before anything is written.
    // (yo itself may leave npm logs in HOME, this folder: the workspace's files are compared, not
    // with git, which refuses, as root, to read the unprivileged user's repos.)
    const before = treeState(join(dir, 'platform'));
    const typo = spawnSync(
      command,
      args.map((a) => (a === '--defaults' ? '--dryrun' : a === 'platform' ? 'other' : a)),
      { cwd: dir, env, encoding: 'utf8', input: '', timeout: 60_000 },
    );
    assert.equal(typo.status, 1, `${typo.stdout}\n${typo.stderr}`);
    assert.match(typo.stderr, /Unknown option --dryrun for new; did you mean --dry-run\?/);
    assert.doesNotMatch(typo.stderr, /An error occured while running/, 'no Yeoman banner');
    assert.deepEqual(treeState(join(dir, 'platform')), before, 'the refusal changed the workspace');
    assert.equal(existsSync(join(dir, 'other')), false);

    // The day-2 commands are generators of the same package: env add through yo, in the workspace.
    const prefix = args.slice(0, args.length - yoArgs.length);
    const added = spawnSync(command, [...prefix, 'gitops-platform:env-add', 'staging', '--no-insight'], {
      cwd: join(dir, 'platform'),
      env,
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    assert.equal(added.status, 0, `${added.stdout}\n${added.stderr}`);
    assert.match(added.stdout, /Added environment staging; the order is now dev -> staging -> prod/);
    const state = JSON.parse(readFileSync(join(dir, 'platform', 'acme-gitops', '.yo-rc.json'), 'utf8'));
    assert.deepEqual(state['generator-gitops-platform'].answers.environments, ['dev', 'staging', 'prod']);
  });
});

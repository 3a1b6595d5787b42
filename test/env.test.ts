/**
 * `env add` and `env remove`, through the bin (and once through Yeoman, as `yo` runs it): one
 * branch with one commit per repo, the result equal to what `new` writes for the same answers,
 * hand edits kept, overlaps and every bad request refused with nothing written, the VPC CIDR rule
 * over a sequence of adds and removes, and the steps printed in the order that works.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import AddEnvironmentGenerator from '../generators/env-add/index.ts';
import { PACKAGE_NAME, YO_RC } from '../generators/lib/repos/state.ts';
import { commitAll, git, mergeBranch } from './support/git.ts';
import { madeWorkspace, readTree, runBin, workspaceState } from './support/workspace.ts';

const REPOS = ['acme-infra', 'acme-gitops', 'api'];

const gitops = (ws: string, ...args: string[]) => runBin(ws, args);

/** Merges each repo's branch into main, as the pull requests would. */
const mergeAll = (ws: string, branch: string) => mergeBranch(ws, REPOS, branch);

function answers(ws: string) {
  return JSON.parse(readFileSync(join(ws, 'acme-infra', YO_RC), 'utf8'))[PACKAGE_NAME].answers;
}

/** Each repo's files without .git. */
function files(ws: string): Map<string, Buffer> {
  const all = new Map<string, Buffer>();
  for (const repo of REPOS) {
    for (const [path, content] of readTree(join(ws, repo))) all.set(`${repo}/${path}`, content);
  }
  return all;
}

describe('env add <name>', function () {
  this.timeout(120_000);

  it('one commit on add-env-<name> in every repo; the result is what new writes for those environments', () => {
    const ws = madeWorkspace('env-add');
    const made = gitops(ws, 'env', 'add', 'staging');
    assert.equal(made.status, 0, made.stderr);
    assert.equal(made.stderr, '');
    for (const repo of REPOS) {
      const dir = join(ws, repo);
      assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'add-env-staging');
      assert.equal(git(dir, 'rev-list', '--count', 'main..add-env-staging'), '1');
      assert.equal(git(dir, 'log', '-1', '--format=%s'), 'feat: add environment staging');
      assert.equal(git(dir, 'status', '--porcelain'), '');
    }
    const recorded = answers(ws);
    assert.deepEqual(recorded.environments, ['dev', 'staging', 'prod']);
    // staging gets a CIDR no environment had: prod keeps 10.11.
    assert.deepEqual(recorded.vpcCidrs, { dev: '10.10.0.0/16', prod: '10.11.0.0/16', staging: '10.12.0.0/16' });
    const fresh = madeWorkspace('env-add-fresh', [
      '--environments',
      'dev,staging,prod',
      '--vpc-cidrs',
      'dev=10.10.0.0/16,prod=10.11.0.0/16,staging=10.12.0.0/16',
    ]);
    const [got, expected] = [files(ws), files(fresh)];
    assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
    for (const [path, content] of expected) assert.ok(content.equals(got.get(path) as Buffer), path);
    assert.match(made.stdout, /^Added environment staging; the order is now dev -> staging -> prod:/);
    // The steps: CI roles and credential first, then the infra repo, then GitOps, then the app.
    const steps = made.stdout.slice(made.stdout.indexOf('Next steps')).split('\n');
    const at = (re: RegExp) => steps.findIndex((l) => re.test(l));
    assert.ok(at(/apply bootstrap\/ by hand/) < at(/Push acme-infra/), made.stdout);
    assert.ok(at(/Push acme-infra/) < at(/Push acme-gitops/) && at(/Push acme-gitops/) < at(/Push api/));
    assert.match(made.stdout, /secret argocd\/staging-gitops-repo/);
  });

  it('keeps the team edits in files it changes, and refuses (writing nothing) edits on the lines it changes', () => {
    const ws = madeWorkspace('env-add-edits');
    const values = join(ws, 'acme-gitops', 'environments', 'prod', 'api.yaml');
    appendFileSync(values, '# team note: keep\n');
    commitAll(join(ws, 'acme-gitops'), 'team edit');
    const made = gitops(ws, 'env', 'add', 'staging');
    assert.equal(made.status, 0, made.stderr);
    assert.match(readFileSync(values, 'utf8'), /# team note: keep\n$/);
    assert.notEqual(git(join(ws, 'acme-gitops'), 'diff', 'main', '--', 'environments/prod/api.yaml'), '');

    // The line that names the environment before prod, changed by the team too.
    const other = madeWorkspace('env-add-overlap');
    const promote = join(other, 'acme-gitops', 'environments', 'prod', 'api.yaml');
    const text = readFileSync(promote, 'utf8');
    const line = text.split('\n').find((l) => /\bdev\b/.test(l));
    assert.ok(line, 'the prod values name the environment before it');
    writeFileSync(promote, text.replace(line, `${line} (edited)`));
    commitAll(join(other, 'acme-gitops'), 'team edit on the same line');
    const before = workspaceState(other);
    const refused = gitops(other, 'env', 'add', 'staging');
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /Cannot add the environment staging to .*acme-gitops without overwriting your work; nothing was written:/,
    );
    assert.match(
      refused.stderr,
      /environments\/prod\/api\.yaml \(your edits overlap the lines the new environment changes\)/,
    );
    assert.deepEqual(workspaceState(other), before);
  });

  it('puts it where asked: --after, --before the first, and after production only with --production', () => {
    const ws = madeWorkspace('env-add-places');
    const order = (args: string[]) => {
      const r = gitops(ws, 'env', 'add', ...args, '--dry-run', '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).environments;
    };
    assert.deepEqual(order(['qa']), ['dev', 'qa', 'prod']);
    assert.deepEqual(order(['qa', '--after', 'dev']), ['dev', 'qa', 'prod']);
    assert.deepEqual(order(['sandbox', '--before', 'dev']), ['sandbox', 'dev', 'prod']);
    assert.deepEqual(order(['live', '--production']), ['dev', 'prod', 'live']);
    assert.deepEqual(order(['live', '--after', 'prod', '--production']), ['dev', 'prod', 'live']);
  });

  const refusals: [string, string[], RegExp][] = [
    ['an existing name', ['prod'], /prod is already an environment \(dev, prod\)/],
    ['an unknown --after', ['qa', '--after', 'stage'], /--after stage: not an environment \(dev, prod\)/],
    ['after production, unsaid', ['qa', '--after', 'prod'], /makes qa production .* say so with --production/],
    ['--production elsewhere', ['qa', '--production', '--before', 'prod'], /--production puts qa after prod/],
    ['--after and --before', ['qa', '--after', 'dev', '--before', 'prod'], /--after and --before both place/],
    ['a bad account', ['qa', '--account', '1234'], /--account 1234: must be exactly 12 digits/],
    ['a bad name', ['QA'], /environments: .*"QA"/],
    ['no name', [], /env add needs <name>/],
    [
      'an option of another command',
      ['qa', '--allow-destroy'],
      /env add does not take --allow-destroy|Unknown option --allow-destroy/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what}, writing nothing`, () => {
      const ws = madeWorkspace('env-add-refused');
      const before = workspaceState(ws);
      const r = gitops(ws, 'env', 'add', ...args);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, message);
      assert.deepEqual(workspaceState(ws), before);
    });
  }

  it('refuses a dirty repo and an existing add-env branch, writing nothing', () => {
    const ws = madeWorkspace('env-add-dirty');
    writeFileSync(join(ws, 'api', 'wip.txt'), 'wip\n');
    let before = workspaceState(ws);
    let r = gitops(ws, 'env', 'add', 'qa');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /api has uncommitted changes/);
    assert.deepEqual(workspaceState(ws), before);
    git(join(ws, 'api'), 'clean', '-fdq');
    git(join(ws, 'acme-gitops'), 'branch', 'add-env-qa');
    before = workspaceState(ws);
    r = gitops(ws, 'env', 'add', 'qa');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /add-env-qa/);
    assert.deepEqual(workspaceState(ws), before);
  });

  it('runs as yo runs it (Yeoman namespace gitops-platform:env-add)', async () => {
    const ws = madeWorkspace('env-add-yo');
    await helpers.run(AddEnvironmentGenerator, { namespace: 'gitops-platform:env-add' }).cd(ws).withArguments(['qa']);
    assert.deepEqual(answers(ws).environments, ['dev', 'qa', 'prod']);
    assert.ok(existsSync(join(ws, 'acme-infra', 'environments', 'qa', 'main.tf')));
  });
});

describe('env remove <name>', function () {
  this.timeout(120_000);

  const threeEnvironments = () => madeWorkspace('env-remove', ['--environments', 'dev,staging,prod']);

  it('with --allow-destroy: one commit per repo, its files gone, the result what new writes without it', () => {
    const ws = threeEnvironments();
    const tfvars = join(ws, 'acme-infra', 'environments', 'staging', 'terraform.tfvars');
    appendFileSync(tfvars, 'node_max_size = 8\n');
    commitAll(join(ws, 'acme-infra'), 'team sizing');
    const r = gitops(ws, 'env', 'remove', 'staging', '--allow-destroy');
    assert.equal(r.status, 0, r.stderr);
    for (const repo of REPOS) assert.equal(git(join(ws, repo), 'rev-list', '--count', 'main..remove-env-staging'), '1');
    assert.equal(existsSync(join(ws, 'acme-infra', 'environments', 'staging')), false);
    assert.equal(existsSync(join(ws, 'acme-gitops', 'argocd', 'staging')), false);
    // The team's file goes too (consent was given), and the report says it had their edits.
    assert.match(
      r.stdout,
      /Removed with edits of yours \(git history keeps them\):\n {2}acme-infra\/environments\/staging\/terraform\.tfvars/,
    );
    const recorded = answers(ws);
    assert.deepEqual(recorded.environments, ['dev', 'prod']);
    // staging's CIDR stays recorded: no environment gets it again.
    assert.equal(recorded.vpcCidrs.staging, '10.11.0.0/16');
    const fresh = madeWorkspace('env-remove-fresh', [
      '--vpc-cidrs',
      'dev=10.10.0.0/16,staging=10.11.0.0/16,prod=10.12.0.0/16',
    ]);
    const [got, expected] = [files(ws), files(fresh)];
    assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
    for (const [path, content] of expected) assert.ok(content.equals(got.get(path) as Buffer), path);
    // The order that leaves nothing behind: teardown from main first, GitOps merged before infra.
    const steps = r.stdout.slice(r.stdout.indexOf('Next steps')).split('\n');
    const at = (re: RegExp) => steps.findIndex((l) => re.test(l));
    assert.ok(at(/scripts\/teardown\.sh staging/) > 0, r.stdout);
    assert.ok(at(/scripts\/teardown\.sh staging/) < at(/merge the GitOps repo's change/));
    assert.ok(at(/merge the GitOps repo's change .* then the infra repo's/) < at(/apply bootstrap\/ by hand/));
    assert.match(
      r.stdout,
      /Push acme-gitops \(new branch remove-env-staging from main\), acme-infra \(new branch remove-env-staging from main\), api \(new branch remove-env-staging from main\) and open their pull requests now; merge each only when a step below says so\./,
    );
  });

  const refusals: [string, string[], RegExp][] = [
    [
      'without --allow-destroy, with the steps',
      ['staging'],
      /without --allow-destroy; nothing was written:\n- environment staging is removed:\n {4}1\. From main of the infra repo/,
    ],
    ['an unknown environment', ['qa', '--allow-destroy'], /qa is not an environment \(dev, staging, prod\)/],
    [
      'production without its successor',
      ['prod', '--allow-destroy'],
      /prod is production; staging would take that role\. Say so with --successor staging/,
    ],
    [
      'the first without its successor',
      ['dev', '--allow-destroy'],
      /dev is the environment every merge deploys to; staging would take that role/,
    ],
    [
      'a successor that is not the neighbour',
      ['prod', '--allow-destroy', '--successor', 'dev'],
      /--successor staging \(not dev\)/,
    ],
    [
      'a successor for a middle one',
      ['staging', '--allow-destroy', '--successor', 'dev'],
      /--successor: staging is neither the first environment nor production/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what}, writing nothing`, () => {
      const ws = threeEnvironments();
      const before = workspaceState(ws);
      const r = gitops(ws, 'env', 'remove', ...args);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, message);
      assert.deepEqual(workspaceState(ws), before);
    });
  }

  it('with --current-branch, says the push waits for its step (the push is the merge)', () => {
    const ws = threeEnvironments();
    const r = gitops(ws, 'env', 'remove', 'staging', '--allow-destroy', '--current-branch');
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /Push acme-gitops \(branch main\), acme-infra \(branch main\), api \(branch main\) only when a step below says to merge it: without a pull request, the push is the merge\./,
    );
  });

  it('refuses leaving one environment', () => {
    const ws = madeWorkspace('env-remove-two');
    const r = gitops(ws, 'env', 'remove', 'dev', '--allow-destroy', '--successor', 'prod');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /would leave one environment/);
  });

  it('production goes when its successor is named, which becomes production', () => {
    const ws = threeEnvironments();
    const r = gitops(ws, 'env', 'remove', 'prod', '--allow-destroy', '--successor', 'staging');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(answers(ws).environments, ['dev', 'staging']);
    assert.match(r.stdout, /Set cluster_deletion_protection = false in environments\/prod\/terraform\.tfvars/);
  });

  it('the CIDR rule over adds and removes: a new environment never gets one another had', () => {
    const ws = threeEnvironments();
    const cidrs = () => answers(ws).vpcCidrs;
    assert.deepEqual(cidrs(), { dev: '10.10.0.0/16', staging: '10.11.0.0/16', prod: '10.12.0.0/16' });
    assert.equal(gitops(ws, 'env', 'remove', 'staging', '--allow-destroy').status, 0);
    mergeAll(ws, 'remove-env-staging');
    assert.equal(gitops(ws, 'env', 'add', 'qa').status, 0);
    mergeAll(ws, 'add-env-qa');
    assert.equal(cidrs().qa, '10.13.0.0/16');
    assert.equal(gitops(ws, 'env', 'add', 'perf', '--after', 'qa').status, 0);
    mergeAll(ws, 'add-env-perf');
    assert.deepEqual(answers(ws).environments, ['dev', 'qa', 'perf', 'prod']);
    const all = Object.values(cidrs());
    assert.equal(new Set(all).size, all.length, `every CIDR once: ${all.join(', ')}`);
    assert.equal(cidrs().perf, '10.14.0.0/16');
  });
});

/**
 * Changing the answers of a live platform: what EKS cannot do is refused, what destroys
 * infrastructure needs --allow-destroy (and says what to do in AWS), and repos that record
 * different answers are named field by field. Unit tests of the rules, then the bin on a workspace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAnswerChange, destructions, differingAnswers } from '../generators/lib/answer-changes.ts';
import type { PlatformAnswers } from '../generators/lib/answers/table.ts';
import { PACKAGE_NAME, YO_RC } from '../generators/lib/repos/state.ts';
import { answersFor, assertSameState, madeWorkspace, runBin, workspaceState } from './support/workspace.ts';

const base = (): PlatformAnswers => ({ ...answersFor('minimal').platform, environments: ['dev', 'staging', 'prod'] });
const change = (to: Partial<PlatformAnswers>) => ({ ...base(), ...to });

describe('answer changes: the rules', () => {
  it('refuses a Kubernetes downgrade and a jump of more than one minor; one minor up is fine', () => {
    const at = (version: string) => change({ kubernetesVersion: version });
    assert.throws(() => checkAnswerChange(at('1.34'), at('1.33'), true), /EKS cannot downgrade a cluster/);
    assert.throws(
      () => checkAnswerChange(at('1.33'), at('1.35'), true),
      /Kubernetes 1\.35 for dev: its cluster runs 1\.33, and EKS upgrades one minor version at a time: upgrade to 1\.34 and apply dev first/,
    );
    assert.deepEqual(checkAnswerChange(at('1.34'), at('1.35'), false), []);
    assert.deepEqual(checkAnswerChange(at('1.34'), at('1.34'), false), []);
  });

  it('applies the one-minor rule to each cluster: environments move one at a time, a new one starts anywhere', () => {
    const at = (kubernetesVersion: string, kubernetesVersions: Record<string, string>, environments?: string[]) =>
      change({ kubernetesVersion, kubernetesVersions, ...(environments ? { environments } : {}) });
    // dev first, then staging, then the default catches up with them.
    assert.deepEqual(checkAnswerChange(at('1.33', {}), at('1.33', { dev: '1.34' }), false), []);
    assert.deepEqual(
      checkAnswerChange(at('1.33', { dev: '1.34' }), at('1.33', { dev: '1.35', staging: '1.34' }), false),
      [],
    );
    assert.deepEqual(
      checkAnswerChange(at('1.33', { dev: '1.35', staging: '1.34' }), at('1.34', { dev: '1.35' }), false),
      [],
    );
    // Moving the default moves prod two minors while dev stays: refused for prod, by name.
    assert.throws(
      () => checkAnswerChange(at('1.33', { dev: '1.34' }), at('1.35', { dev: '1.34' }), true),
      /Kubernetes 1\.35 for staging: its cluster runs 1\.33/,
    );
    assert.throws(
      () => checkAnswerChange(at('1.33', { dev: '1.35' }), at('1.33', {}), true),
      /Kubernetes 1\.33 for dev: its cluster runs 1\.35, and EKS cannot downgrade a cluster/,
    );
    // An environment the change adds has no cluster yet.
    const added = at('1.33', { qa: '1.35' }, ['dev', 'qa', 'staging', 'prod']);
    assert.deepEqual(checkAnswerChange(at('1.33', {}), added, true), []);
  });

  it('needs --allow-destroy to remove an environment, move the region or move an account, and says what to do in AWS', () => {
    const cases: [Partial<PlatformAnswers>, RegExp][] = [
      [
        { environments: ['dev', 'prod'] },
        /environment staging is removed[\s\S]*terraform -chdir=environments\/staging destroy/,
      ],
      [{ awsRegion: 'eu-west-1' }, /the region moves from us-east-1 to eu-west-1/],
      [{ accounts: { prod: '222222222222' } }, /environment prod moves from account 123456789012 to 222222222222/],
      [{ awsAccountId: '210987654321' }, /the global account moves from 123456789012 to 210987654321/],
    ];
    for (const [to, message] of cases) {
      assert.throws(
        () => checkAnswerChange(base(), change(to), false),
        (error: Error) =>
          /without --allow-destroy; nothing was written/.test(error.message) && message.test(error.message),
        JSON.stringify(to),
      );
      assert.ok(checkAnswerChange(base(), change(to), true).length > 0, JSON.stringify(to));
    }
  });

  it('calls nothing destructive that only adds: a new environment, an account for it, a domain', () => {
    const to = change({
      environments: ['dev', 'staging', 'qa', 'prod'],
      accounts: { qa: '333333333333' },
      domain: 'example.com',
    });
    assert.deepEqual(destructions(base(), to), []);
  });

  it('names every field whose recorded value differs between repos, with each repo value', () => {
    const recorded = [
      { name: 'acme-infra', answers: change({ kubernetesVersion: '1.34' }) },
      { name: 'acme-gitops', answers: change({ kubernetesVersion: '1.35' }) },
      { name: 'api', answers: change({ kubernetesVersion: '1.34' }) },
    ];
    assert.deepEqual(differingAnswers(recorded), [
      'kubernetesVersion: acme-infra "1.34", acme-gitops "1.35", api "1.34"',
    ]);
    assert.deepEqual(differingAnswers(recorded.slice(0, 1)), []);
  });
});

describe('answer changes: upgrade in a workspace', function () {
  this.timeout(60_000);
  const run = (args: string[], cwd: string) => runBin(cwd, args);

  const workspace = () => madeWorkspace('answer-changes', ['--environments', 'dev,staging,prod']);

  it('refuses an environment removal without --allow-destroy, writing nothing; with it, removes and prints the steps', () => {
    const ws = workspace();
    const before = workspaceState(ws);
    const refused = run(['upgrade', '--environments', 'dev,prod', '--commit'], ws);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /environment staging is removed:/);
    assert.match(refused.stderr, /Rerun with --allow-destroy/);
    assertSameState(workspaceState(ws), before, 'a refused removal changed the workspace');
    const allowed = run(['upgrade', '--environments', 'dev,prod', '--allow-destroy', '--commit'], ws);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, /This change destroys infrastructure; in AWS, in this order:/);
    assert.match(allowed.stdout, /terraform -chdir=environments\/staging destroy/);
    const infra = join(ws, 'acme-infra');
    assert.equal(spawnSync('git', ['ls-files', 'environments/staging'], { cwd: infra, encoding: 'utf8' }).stdout, '');
  });

  it('upgrade --kubernetes-version <v> --environment <env> moves one environment per run, first to production; EKS rules per cluster', () => {
    const ws = workspace();
    const recorded = () =>
      JSON.parse(readFileSync(join(ws, 'acme-infra', '.yo-rc.json'), 'utf8'))['generator-gitops-platform'].answers;
    const clusterVersion = (env: string) =>
      /kubernetes_version = "([\d.]+)"/.exec(
        readFileSync(join(ws, 'acme-infra', 'environments', env, 'main.tf'), 'utf8'),
      )?.[1];
    const before = workspaceState(ws);
    for (const [args, message] of [
      [['--environment', 'dev'], /give --kubernetes-version <version> too/],
      [
        ['--kubernetes-version', '1.35', '--environment', 'qa'],
        /--environment: qa is not an environment \(dev, staging, prod\)/,
      ],
      [
        ['--kubernetes-version', '1.35', '--environment', 'dev', '--kubernetes-versions', 'dev=1.35'],
        /give one of them/,
      ],
      [['--kubernetes-version', '1.33', '--environment', 'dev'], /EKS cannot downgrade/],
    ] as const) {
      const r = run(['upgrade', ...args, '--commit'], ws);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
    }
    assertSameState(workspaceState(ws), before, 'a refused staged upgrade changed the workspace');
    for (const [env, expected] of [
      ['dev', { dev: '1.35', staging: '1.34', prod: '1.34' }],
      ['staging', { dev: '1.35', staging: '1.35', prod: '1.34' }],
    ] as const) {
      const r = run(['upgrade', '--kubernetes-version', '1.35', '--environment', env, '--commit'], ws);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(recorded().kubernetesVersion, '1.34', 'the default stays');
      for (const [e, v] of Object.entries(expected)) assert.equal(clusterVersion(e), v, `${e} after moving ${env}`);
    }
    // Per cluster: dev runs 1.35 now, so 1.34 there is a downgrade (for prod it would change nothing).
    const back = run(['upgrade', '--kubernetes-version', '1.34', '--environment', 'dev', '--commit'], ws);
    assert.equal(back.status, 1);
    assert.match(back.stderr, /EKS cannot downgrade/);
    // The last run moves every environment: the entries go, the default is 1.35.
    const last = run(['upgrade', '--kubernetes-version', '1.35', '--commit'], ws);
    assert.equal(last.status, 0, last.stderr);
    assert.equal(recorded().kubernetesVersion, '1.35');
    assert.equal(recorded().kubernetesVersions, undefined);
    for (const e of ['dev', 'staging', 'prod']) assert.equal(clusterVersion(e), '1.35');
  });

  it('gives an added environment a VPC CIDR that no environment has or had (never another one’s, never a removed one’s)', () => {
    const ws = workspace();
    const infra = join(ws, 'acme-infra');
    const cidrOf = (env: string) =>
      /^vpc_cidr = "([^"]+)"$/m.exec(readFileSync(join(infra, 'environments', env, 'terraform.tfvars'), 'utf8'))?.[1];
    assert.deepEqual(['dev', 'staging', 'prod'].map(cidrOf), ['10.10.0.0/16', '10.11.0.0/16', '10.12.0.0/16']);
    const removed = run(['upgrade', '--environments', 'dev,prod', '--allow-destroy', '--commit'], ws);
    assert.equal(removed.status, 0, removed.stderr);
    // qa comes in where staging was: by position it would get 10.11, staging's.
    const added = run(['upgrade', '--environments', 'dev,qa,prod', '--commit'], ws);
    assert.equal(added.status, 0, added.stderr);
    assert.deepEqual(['dev', 'qa', 'prod'].map(cidrOf), ['10.10.0.0/16', '10.13.0.0/16', '10.12.0.0/16']);
    const recorded = JSON.parse(readFileSync(join(infra, YO_RC), 'utf8'))[PACKAGE_NAME].answers.vpcCidrs;
    assert.deepEqual(recorded, {
      dev: '10.10.0.0/16',
      qa: '10.13.0.0/16',
      prod: '10.12.0.0/16',
      staging: '10.11.0.0/16',
    });
    // The reproduction of the issue: dev,prod grown by staging gave staging prod's 10.11.
    const small = madeWorkspace('answer-changes-cidr');
    const grown = run(['upgrade', '--environments', 'dev,staging,prod', '--commit'], small);
    assert.equal(grown.status, 0, grown.stderr);
    const staging = readFileSync(join(small, 'acme-infra', 'environments', 'staging', 'terraform.tfvars'), 'utf8');
    assert.match(staging, /^vpc_cidr = "10\.12\.0\.0\/16"$/m);
  });

  it('upgrade --check reports repos that record different answers (exit 2), naming the field; upgrade refuses until one value is chosen', () => {
    const ws = workspace();
    // The GitOps repo alone was upgraded to 1.35 (by hand here).
    const gitops = join(ws, 'acme-gitops');
    const file = join(gitops, YO_RC);
    const state = JSON.parse(readFileSync(file, 'utf8'));
    state[PACKAGE_NAME].answers.kubernetesVersion = '1.35';
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    for (const args of [
      ['add', '-A'],
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'alone'],
    ]) {
      assert.equal(spawnSync('git', args, { cwd: gitops }).status, 0);
    }
    const check = run(['upgrade', '--check'], ws);
    assert.equal(check.status, 2, check.stderr);
    assert.match(check.stdout, /kubernetesVersion: acme-gitops "1\.35", acme-infra "1\.34", api "1\.34"/);
    const before = workspaceState(ws);
    const refused = run(['upgrade'], ws);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /The repos record different answers; pass the flag of each field/);
    assert.match(refused.stderr, /kubernetesVersion: /);
    assertSameState(workspaceState(ws), before, 'a refused upgrade changed the workspace');
    const chosen = run(['upgrade', '--kubernetes-version', '1.35', '--commit'], ws);
    assert.equal(chosen.status, 0, chosen.stderr);
    assert.equal(run(['upgrade', '--check'], ws).status, 0);
  });
});

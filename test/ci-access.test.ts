/**
 * @tools: what the infra repo's CI roles may do, decided by their generated policies.
 *
 * terraform/ci-access computes each root's plan and apply statements as locals; `tofu console`
 * evaluates them with the roots bootstrap/ passes (one ci-access module per account), and a small
 * evaluator of IAM's documented logic (an explicit Deny wins, then any Allow, else denied; wildcards
 * in actions and resources; Null and StringNotEquals conditions) answers requests a plan or an apply
 * makes, and requests it must never be able to make. Two answer sets: one account for everything, and
 * an account per environment.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '../generators/lib/model.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, run } from './support/tools.ts';
import { type AnswerSetName, modelFor } from './support/workspace.ts';

interface Statement {
  effect?: string;
  actions?: string[] | null;
  not_actions?: string[] | null;
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[] | null;
}
type Statements = Record<string, Statement>;

interface Request {
  action: string;
  resource: string;
  /** Condition keys of the request context (aws:ResourceTag/root, aws:RequestTag/root). */
  context?: Record<string, string>;
}

const glob = (pattern: string, flags = '') =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    flags,
  );

function conditionHolds(c: { test: string; variable: string; values: string[] }, context: Record<string, string>) {
  const value = context[c.variable];
  switch (c.test) {
    case 'Null':
      return c.values.includes(String(value === undefined));
    case 'StringNotEquals':
      // A negated operator on an absent key matches (IAM's documented behaviour).
      return value === undefined || !c.values.includes(value);
    default:
      throw new Error(`the evaluator does not know ${c.test}`);
  }
}

function matches(s: Statement, r: Request): boolean {
  const action = (list: string[]) => list.some((a) => glob(a, 'i').test(r.action));
  const byAction = s.actions ? action(s.actions) : !action(s.not_actions ?? []);
  return (
    byAction &&
    s.resources.some((p) => glob(p).test(r.resource)) &&
    (s.condition ?? []).every((c) => conditionHolds(c, r.context ?? {}))
  );
}

/** IAM's decision for one identity: explicit deny, allow, or (implicitly) denied. */
function decide(statements: Statement[], r: Request): 'allowed' | 'denied' {
  const hits = statements.filter((s) => matches(s, r));
  if (hits.some((s) => s.effect === 'Deny')) return 'denied';
  return hits.some((s) => (s.effect ?? 'Allow') === 'Allow') ? 'allowed' : 'denied';
}

const ADMINISTRATOR: Statement = { actions: ['*'], resources: ['*'] };

interface Root {
  name: string;
  tag: string;
  stateKey: string;
  plan: Statement[];
  apply: Statement[];
}

/** Every root's plan and apply policies, as tofu evaluates terraform/ci-access for each account. */
function evaluateRoots(ctx: Mocha.Context, set: AnswerSetName): { model: Model; roots: Root[]; infra: string } {
  const tofu = requireTool(ctx, 'tofu');
  const model = modelFor(set);
  const infra = join(tempDir(`ci-access-${set}`), 'infra');
  writeFiles(infra, renderRepo(model, 'infra').files);
  const module = readFileSync(join(infra, 'terraform', 'ci-access', 'main.tf'), 'utf8');
  const locals = /^locals \{\n[\s\S]*?\n\}\n/gm;
  const policies = module.match(locals)?.find((block) => block.includes('plan_statements'));
  assert.ok(policies, 'terraform/ci-access computes local.plan_statements and local.apply_statements');
  const bootstrap = readFileSync(join(infra, 'bootstrap', 'main.tf'), 'utf8');
  const perAccount = bootstrap.match(/^ {2}roots = \{\n[\s\S]*?\n {2}\}\n/gm) ?? [];
  assert.equal(perAccount.length, model.terraform.accounts.length, 'one ci-access module per account');
  const roots: Root[] = [];
  for (const block of perAccount) {
    const work = tempDir('ci-access-eval');
    copyFileSync(join(infra, 'terraform', 'ci-access', 'variables.tf'), join(work, 'variables.tf'));
    // The data sources' values: what local.partition, account and region read in AWS.
    const stand = `locals {\n  partition = "aws"\n  account = "${model.awsAccountId}"\n  region = "${model.awsRegion}"\n}\n`;
    writeFileSync(join(work, 'locals.tf'), `${stand}${policies}`);
    writeFileSync(
      join(work, 'terraform.tfvars'),
      `state_bucket = "${model.terraform.stateBucket}"\n${block.replace(/^ {2}/gm, '')}`,
    );
    const out = run(tofu, ['console'], {
      cwd: work,
      input: 'jsonencode({ roots = var.roots, plan = local.plan_statements, apply = local.apply_statements })\n',
    });
    assert.equal(out.status, 0, out.stderr);
    const value = JSON.parse(JSON.parse(out.stdout.trim())) as {
      roots: Record<string, { root_tag: string; state_key: string }>;
      plan: Record<string, Statements>;
      apply: Record<string, Statements>;
    };
    for (const [name, r] of Object.entries(value.roots)) {
      roots.push({
        name,
        tag: r.root_tag,
        stateKey: r.state_key,
        plan: Object.values(value.plan[name]),
        apply: [ADMINISTRATOR, ...Object.values(value.apply[name])],
      });
    }
  }
  return { model, roots, infra };
}

for (const set of ['minimal', 'full'] as const) {
  describe(`CI roles' policies (${set}: ${set === 'minimal' ? 'one account' : 'an account per environment'})`, () => {
    let model: Model;
    let roots: Root[];
    let infra: string;
    before(function () {
      ({ model, roots, infra } = evaluateRoots(this, set));
    });

    const bucket = () => `arn:aws:s3:::${model.terraform.stateBucket}`;

    it('has every root, tagged as its resources are (the root tag of its providers)', () => {
      assert.deepEqual(roots.map((r) => r.name).sort(), model.terraform.roots.map((r) => r.name).sort());
      for (const r of model.terraform.roots) {
        const root = roots.find((x) => x.name === r.name) as Root;
        assert.equal(root.tag, r.dir);
        const main = readFileSync(join(infra, r.dir, 'main.tf'), 'utf8');
        assert.match(main, new RegExp(`^\\s+root\\s+= "${r.dir}"$`, 'm'), `${r.dir}/main.tf tags root = ${r.dir}`);
      }
    });

    it('a plan role reads configuration and its own state, never data or another root state', () => {
      const configuration = [
        'ec2:DescribeVpcs',
        'ec2:DescribeLaunchTemplateVersions',
        'eks:DescribeCluster',
        'eks:ListAccessEntries',
        'eks:DescribeAddonVersions',
        'iam:GetRole',
        'iam:GetOpenIDConnectProvider',
        'iam:ListAttachedRolePolicies',
        'kms:GetKeyPolicy',
        'logs:DescribeLogGroups',
        'ecr:DescribeRepositories',
        'ecr:GetLifecyclePolicy',
        'acm:DescribeCertificate',
      ];
      const data: Request[] = [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::someone-elses-bucket/customers.csv' },
        {
          action: 'ssm:GetParameter',
          resource: `arn:aws:ssm:${model.awsRegion}:${model.awsAccountId}:parameter/db/password`,
        },
        { action: 'logs:GetLogEvents', resource: '*' },
        { action: 'logs:StartQuery', resource: '*' },
        { action: 'ecr:BatchGetImage', resource: '*' },
        { action: 'ecr:GetDownloadUrlForLayer', resource: '*' },
        { action: 'kms:Decrypt', resource: '*' },
        { action: 'dynamodb:Scan', resource: '*' },
        { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:x:1:secret:prod/db-AbCdEf' },
        { action: 'ec2:GetPasswordData', resource: '*' },
        { action: 'ec2:CreateVpc', resource: '*' },
      ];
      for (const root of roots) {
        for (const action of configuration) {
          assert.equal(decide(root.plan, { action, resource: '*' }), 'allowed', `${root.name} plan: ${action}`);
        }
        for (const r of data)
          assert.equal(decide(root.plan, r), 'denied', `${root.name} plan: ${r.action} ${r.resource}`);
        const param = `arn:aws:ssm:${model.awsRegion}::parameter/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/recommended/release_version`;
        assert.equal(decide(root.plan, { action: 'ssm:GetParameter', resource: param }), 'allowed');
        assert.equal(decide(root.plan, { action: 's3:ListBucket', resource: bucket() }), 'allowed');
        for (const other of roots) {
          const own = other === root ? 'allowed' : 'denied';
          const key = `${bucket()}/${other.stateKey}`;
          assert.equal(decide(root.plan, { action: 's3:GetObject', resource: key }), own, `${root.name} reads ${key}`);
          assert.equal(decide(root.plan, { action: 's3:PutObject', resource: key }), 'denied');
          assert.equal(decide(root.plan, { action: 's3:PutObject', resource: `${key}.tflock` }), own);
        }
      }
    });

    it("an apply role changes its own root's resources, and only reads those tagged with another root", () => {
      const tags = [...roots.map((r) => r.tag), 'bootstrap'];
      const changes = ['eks:UpdateClusterConfig', 'iam:UpdateAssumeRolePolicy', 'ec2:DeleteVpc', 'kms:PutKeyPolicy'];
      for (const root of roots) {
        for (const tag of tags) {
          const context = { 'aws:ResourceTag/root': tag };
          for (const action of changes) {
            const expected = tag === root.tag ? 'allowed' : 'denied';
            assert.equal(
              decide(root.apply, { action, resource: '*', context }),
              expected,
              `${root.name}: ${action} on ${tag}`,
            );
          }
          // global/ reads bootstrap's OIDC provider; reading configuration is never denied.
          const read = { action: 'iam:GetOpenIDConnectProvider', resource: '*', context };
          assert.equal(decide(root.apply, read), 'allowed');
          const create = { action: 'ec2:CreateVpc', resource: '*', context: { 'aws:RequestTag/root': tag } };
          assert.equal(decide(root.apply, create), tag === root.tag ? 'allowed' : 'denied', `${root.name} tags ${tag}`);
        }
        // What the denies do not cover, as the README says: untagged resources.
        assert.equal(decide(root.apply, { action: 'ec2:DeleteVpc', resource: '*' }), 'allowed');
        for (const action of [
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
          's3:PutBucketVersioning',
          's3:DeleteBucket',
        ]) {
          assert.equal(decide(root.apply, { action, resource: bucket() }), 'denied', `${root.name}: ${action}`);
        }
        assert.equal(
          decide(root.apply, { action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::own-bucket' }),
          'allowed',
        );
      }
    });

    it('no plan role carries a managed policy; apply roles carry AdministratorAccess with the denies', () => {
      const module = readFileSync(join(infra, 'terraform', 'ci-access', 'main.tf'), 'utf8');
      const plan = /^module "plan_role" \{\n[\s\S]*?\n\}\n/m.exec(module)?.[0] ?? '';
      const apply = /^module "apply_role" \{\n[\s\S]*?\n\}\n/m.exec(module)?.[0] ?? '';
      assert.doesNotMatch(plan, /policy_arns|ReadOnlyAccess/);
      assert.match(plan, /inline_policy_statements\s+= local\.plan_statements\[each\.key\]/);
      assert.match(apply, /policy\/AdministratorAccess"/);
      assert.match(apply, /inline_policy_statements = local\.apply_statements\[each\.key\]/);
    });

    it("the README's isolation sentences match the policies", () => {
      const readme = readFileSync(join(infra, 'README.md'), 'utf8').replace(/\s+/g, ' ');
      assert.doesNotMatch(readme, /ReadOnlyAccess/);
      assert.match(readme, /reads configuration only/);
      if (model.terraform.accounts.length === 1) {
        assert.match(readme, /may only read the configuration of a resource tagged with another root/);
        assert.match(readme, /stop mistakes \(.*?\), not an attacker whose change gets merged/);
      }
    });
  });
}

/**
 * The infra repo, statically (an HCL parser and nothing else): every module call against the
 * pinned interfaces of the terraform-aws-modules (../shared/data/terraform-modules) or the local
 * module's own variables and outputs, variables declared and used, the GitHub trust policies, the
 * services data file, and agreement with the GitOps repo rendered from the same model.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse } from 'yaml';
import type { Model } from '../generators/lib/model.ts';
import { pin } from '../generators/lib/pins.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { attr, blocks, blocks2, type Hcl, parseHcl, requireHclParser, strings } from './support/hcl.ts';
import { tempDir } from './support/temp.ts';
import { upstreamData } from './support/tools.ts';
import { answerSets, listFiles, modelFor } from './support/workspace.ts';

const META = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

interface ModuleInterface {
  source: string;
  version: string;
  variables: Record<string, { required: boolean }>;
  outputs: string[];
}

/** The pinned registry modules' interfaces (in ../shared/data), by registry source. */
function registryInterfaces(interfacesDir: string): Map<string, ModuleInterface> {
  const out = new Map<string, ModuleInterface>();
  for (const file of readdirSync(interfacesDir).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(interfacesDir, file), 'utf8')) as ModuleInterface;
    out.set(data.source, data);
  }
  return out;
}

interface ModuleCall {
  file: string;
  name: string;
  source: string;
  version?: string;
  args: string[];
  body: Hcl;
}

interface TfDir {
  files: Map<string, Hcl>;
  /** Declared variables: required when there is no default. */
  variables: Map<string, { required: boolean }>;
  outputs: Set<string>;
  modules: ModuleCall[];
  /** Every string of every file (expressions are "${...}" text). */
  text: string[];
}

function renderInfra(model: Model, label: string): string {
  const dir = tempDir(`infra-${label}`);
  writeFiles(dir, renderRepo(model, 'infra').files);
  return dir;
}

/** Parses every .tf file of the repo and groups them by folder (Terraform module). */
function analyse(python: string, root: string): Map<string, TfDir> {
  const tfFiles = listFiles(root).filter((f) => f.endsWith('.tf'));
  const parsed = parseHcl(
    python,
    tfFiles.map((f) => join(root, f)),
  );
  const dirs = new Map<string, TfDir>();
  for (const file of tfFiles) {
    const hcl = parsed.get(join(root, file)) ?? {};
    const key = dirname(file);
    let d = dirs.get(key);
    if (!d) {
      d = { files: new Map(), variables: new Map(), outputs: new Set(), modules: [], text: [] };
      dirs.set(key, d);
    }
    d.files.set(file, hcl);
    for (const [name, body] of blocks(hcl, 'variable')) d.variables.set(name, { required: !('default' in body) });
    for (const [name] of blocks(hcl, 'output')) d.outputs.add(name);
    for (const [name, body] of blocks(hcl, 'module')) {
      d.modules.push({
        file,
        name,
        source: String(attr(body, 'source')),
        version: body.version ? String(attr(body, 'version')) : undefined,
        args: Object.keys(body).filter((k) => !k.startsWith('__') && !META.has(k)),
        body,
      });
    }
    d.text.push(...strings(hcl));
  }
  return dirs;
}

const ID = '[A-Za-z_][A-Za-z0-9_-]*';

/** A Terraform expression as python-hcl2 renders it: `${expr}`. */
const tf = (expr: string) => `\${${expr}}`;

/** `var.x` references. */
function varRefs(text: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of text) for (const m of s.matchAll(new RegExp(`\\bvar\\.(${ID})`, 'g'))) out.add(m[1]);
  return out;
}

/** Output names referenced on module `name`: `module.name.out`, `module.name[key].out`, `for k, v in module.name : ... v.out`. */
function outputRefs(text: string[], name: string): Set<string> {
  const out = new Set<string>();
  const direct = new RegExp(`\\bmodule\\.${name}(?:\\[[^\\]]*\\])?\\.(${ID})`, 'g');
  const loop = new RegExp(`for\\s+${ID}\\s*,\\s*(${ID})\\s+in\\s+module\\.${name}\\s*:`, 'g');
  for (const s of text) {
    for (const m of s.matchAll(direct)) out.add(m[1]);
    for (const m of s.matchAll(loop))
      for (const r of s.matchAll(new RegExp(`\\b${m[1]}\\.(${ID})`, 'g'))) out.add(r[1]);
  }
  return out;
}

/** Every module name referenced in a folder. */
function moduleNamesReferenced(text: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of text) for (const m of s.matchAll(new RegExp(`\\bmodule\\.(${ID})`, 'g'))) out.add(m[1]);
  return out;
}

const sets = [
  { set: 'minimal' as const, extra: [] },
  { set: 'full' as const, extra: [{ name: 'web', port: 8081 }] },
];

for (const { set, extra } of sets) {
  describe(`infra repo, statically (${set}: ${answerSets[set].description}${extra.length ? ', plus web' : ''})`, () => {
    const model = modelFor(set, extra);
    let root = '';
    let dirs = new Map<string, TfDir>();

    before(function () {
      const python = requireHclParser(this);
      root = renderInfra(model, set);
      dirs = analyse(python, root);
    });

    it('has the roots and local modules the spec asks for', () => {
      const expected = [
        'bootstrap',
        'global',
        ...model.environments.map((e) => `environments/${e.name}`),
        'terraform/vpc',
        'terraform/eks',
        'terraform/ecr',
        'terraform/argocd',
        'terraform/iam/github-oidc-role',
        'terraform/iam/pod-identity-role',
      ];
      for (const d of expected) assert.ok(dirs.has(d), `missing ${d}/`);
      for (const env of model.environments) {
        for (const f of ['versions.tf', 'backend.tf', 'providers.tf', 'main.tf', 'variables.tf', 'outputs.tf']) {
          assert.ok(dirs.get(`environments/${env.name}`)?.files.has(`environments/${env.name}/${f}`), f);
        }
      }
    });

    it('checks every module call: arguments exist, required variables are set, referenced outputs exist', function () {
      const interfacesDir = upstreamData(this, 'terraform-modules');
      const registry = registryInterfaces(interfacesDir);
      let registryCalls = 0;
      let localCalls = 0;
      for (const [dir, d] of dirs) {
        for (const call of d.modules) {
          const where = `${call.file}: module "${call.name}"`;
          let variables: Map<string, { required: boolean }>;
          let outputs: Set<string>;
          if (call.source.startsWith('./') || call.source.startsWith('../')) {
            localCalls++;
            const target = posix.normalize(posix.join(dir, call.source));
            const t = dirs.get(target);
            assert.ok(t, `${where}: local module ${target} does not exist`);
            assert.equal(call.version, undefined, `${where}: a local module has no version`);
            variables = t.variables;
            outputs = t.outputs;
          } else {
            registryCalls++;
            const iface = registry.get(call.source);
            assert.ok(iface, `${where}: ${call.source} is not one of the pinned interfaces in ${interfacesDir}`);
            assert.equal(call.version, iface.version, `${where}: version must be the pinned ${iface.version}`);
            variables = new Map(Object.entries(iface.variables).map(([k, v]) => [k, { required: v.required }]));
            outputs = new Set(iface.outputs);
          }
          for (const arg of call.args)
            assert.ok(variables.has(arg), `${where}: no variable "${arg}" in ${call.source}`);
          for (const [name, v] of variables) {
            if (v.required) assert.ok(call.args.includes(name), `${where}: required variable "${name}" is not set`);
          }
          const refs = outputRefs(d.text, call.name);
          for (const out of refs) assert.ok(outputs.has(out), `${where}: module.${call.name}.${out} is not an output`);
        }
        // Every module referenced is declared in this folder.
        const declared = new Set(d.modules.map((m) => m.name));
        for (const name of moduleNamesReferenced(d.text)) assert.ok(declared.has(name), `${dir}: module.${name}`);
      }
      assert.ok(registryCalls >= 5, `registry module calls: ${registryCalls}`);
      assert.ok(localCalls >= 8, `local module calls: ${localCalls}`);
    });

    it('uses exactly the pinned module versions and the major-version input names', () => {
      const used = new Set<string>();
      for (const d of dirs.values()) for (const c of d.modules) if (c.version) used.add(`${c.source}@${c.version}`);
      assert.deepEqual([...used].sort(), [
        `terraform-aws-modules/ecr/aws@${pin('module.ecr')}`,
        `terraform-aws-modules/eks-pod-identity/aws@${pin('module.eks-pod-identity')}`,
        `terraform-aws-modules/eks/aws@${pin('module.eks')}`,
        `terraform-aws-modules/iam/aws//modules/iam-role@${pin('module.iam')}`,
        `terraform-aws-modules/vpc/aws@${pin('module.vpc')}`,
      ]);
      const eks = dirs.get('terraform/eks')?.modules.find((m) => m.name === 'eks');
      assert.ok(eks);
      for (const v21 of ['name', 'kubernetes_version', 'endpoint_public_access', 'addons', 'authentication_mode']) {
        assert.ok(eks.args.includes(v21), `eks v21 input ${v21}`);
      }
      assert.equal(attr(eks.body, 'authentication_mode'), 'API');
      const addons = attr(eks.body, 'addons') as Hcl;
      // metrics-server: the metrics API an HPA reads CPU from (without it, FailedGetResourceMetric).
      for (const a of ['coredns', 'kube-proxy', 'vpc-cni', 'eks-pod-identity-agent', 'metrics-server']) {
        assert.ok(a in addons, a);
      }
      assert.match(JSON.stringify(addons['vpc-cni']), /enableNetworkPolicy/);
      const groups = attr(eks.body, 'eks_managed_node_groups') as Hcl;
      assert.match(JSON.stringify(groups), /AL2023_x86_64_STANDARD/);
    });

    it('declares every variable it references and references every variable it declares', () => {
      for (const [dir, d] of dirs) {
        const used = varRefs(d.text);
        for (const name of used) assert.ok(d.variables.has(name), `${dir}: var.${name} is not declared`);
        for (const name of d.variables.keys()) assert.ok(used.has(name), `${dir}: variable "${name}" is never used`);
      }
    });

    it('sets every required variable of a root in its terraform.tfvars, and nothing else', () => {
      for (const [dir, d] of dirs) {
        const required = [...d.variables].filter(([, v]) => v.required).map(([k]) => k);
        if (dir.startsWith('terraform/') || required.length === 0) continue;
        const tfvars = readFileSync(join(root, dir, 'terraform.tfvars'), 'utf8');
        const keys = [...tfvars.matchAll(/^([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1]);
        assert.deepEqual([...keys].sort(), [...required].sort(), `${dir}/terraform.tfvars`);
      }
    });

    it('pins Terraform >= 1.11 and each provider major in every root and module', () => {
      for (const [dir, d] of dirs) {
        const versions = d.files.get(`${dir}/versions.tf`);
        assert.ok(versions, `${dir}/versions.tf`);
        const terraform = (versions.terraform as Hcl[])[0];
        assert.equal(attr(terraform, 'required_version'), pin('terraform.required'));
        const providers = attr(terraform, 'required_providers') as Record<string, { version: string }>;
        assert.ok(Object.keys(providers).includes('aws'), dir);
        for (const [name, value] of Object.entries(providers)) {
          const p = attr({ value }, 'value') as { version: string };
          assert.match(p.version, /^~> \d+\.\d+$/, `${dir}: provider ${name}`);
          assert.equal(p.version, pin(`provider.${name}`));
        }
      }
    });

    it('keeps every state in the bucket with an S3 lock file and encryption, one key per root', () => {
      const expected = new Map([
        ['global', model.terraform.globalStateKey],
        ...model.environments.map((e) => [`environments/${e.name}`, e.stateKey] as [string, string]),
      ]);
      for (const [dir, key] of expected) {
        const backend = (dirs.get(dir)?.files.get(`${dir}/backend.tf`)?.terraform as Hcl[] | undefined)?.[0] ?? {};
        const s3 = (attr(backend, 'backend') as Hcl).s3 as Hcl;
        assert.equal(attr(s3, 'bucket'), model.terraform.stateBucket, dir);
        assert.equal(attr(s3, 'key'), key, dir);
        assert.equal(attr(s3, 'use_lockfile'), true, dir);
        assert.equal(attr(s3, 'encrypt'), true, dir);
      }
      assert.equal(new Set(expected.values()).size, expected.size, 'state keys are distinct');
    });

    it('protects the state bucket as the spec lists', () => {
      const main = dirs.get('bootstrap')?.files.get('bootstrap/main.tf') ?? {};
      const resources = new Map(blocks2(main, 'resource').map(([t, n, b]) => [`${t}.${n}`, b]));
      const bucket = resources.get('aws_s3_bucket.state');
      assert.ok(bucket);
      assert.equal(attr(bucket, 'bucket'), tf('local.state_bucket'));
      assert.equal(attr(attr(bucket, 'lifecycle') as Hcl, 'prevent_destroy'), true);
      const versioning = resources.get('aws_s3_bucket_versioning.state');
      assert.equal(attr(attr(versioning ?? {}, 'versioning_configuration') as Hcl, 'status'), 'Enabled');
      assert.match(JSON.stringify(resources.get('aws_s3_bucket_server_side_encryption_configuration.state')), /AES256/);
      const pab = resources.get('aws_s3_bucket_public_access_block.state') ?? {};
      for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
        assert.equal(attr(pab, k), true, k);
      }
      assert.match(JSON.stringify(resources.get('aws_s3_bucket_ownership_controls.state')), /BucketOwnerEnforced/);
      // TLS only: one statement denies every S3 action to everyone when the request is not over TLS.
      const document = blocks2(main, 'data').find(([t, n]) => t === 'aws_iam_policy_document' && n === 'state');
      assert.ok(document, 'data.aws_iam_policy_document.state');
      const deny = (document[2].statement as Hcl[]).find((s) => attr(s, 'sid') === 'DenyInsecureTransport');
      assert.ok(deny, 'the DenyInsecureTransport statement');
      assert.equal(attr(deny, 'effect'), 'Deny');
      assert.deepEqual(attr(deny, 'actions'), ['s3:*']);
      assert.deepEqual(attr(deny, 'resources'), [tf('aws_s3_bucket.state.arn'), `${tf('aws_s3_bucket.state.arn')}/*`]);
      const unwrap = (blocks: Hcl[]) =>
        blocks.map((b) => Object.fromEntries(Object.keys(b).map((k) => [k, attr(b, k)])));
      assert.deepEqual(unwrap(deny.principals), [{ type: '*', identifiers: ['*'] }]);
      assert.deepEqual(unwrap(deny.condition), [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
      const bucketPolicy = resources.get('aws_s3_bucket_policy.state');
      assert.ok(bucketPolicy, 'aws_s3_bucket_policy.state');
      assert.equal(attr(bucketPolicy, 'bucket'), tf('aws_s3_bucket.state.id'));
      assert.equal(attr(bucketPolicy, 'policy'), tf('data.aws_iam_policy_document.state.json'));
      const ciAccess = dirs.get('terraform/ci-access')?.files.get('terraform/ci-access/main.tf') ?? {};
      const oidc = blocks2(ciAccess, 'resource').find(([t]) => t === 'aws_iam_openid_connect_provider');
      assert.ok(oidc, 'the GitHub OIDC provider');
      assert.equal(attr(oidc[2], 'url'), 'https://token.actions.githubusercontent.com');
    });

    it('keeps every state version: locked, and out of reach of every role but the break-glass one', () => {
      const main = dirs.get('bootstrap')?.files.get('bootstrap/main.tf') ?? {};
      const resources = new Map(blocks2(main, 'resource').map(([t, n, b]) => [`${t}.${n}`, b]));
      const lock = resources.get('aws_s3_bucket_object_lock_configuration.state') ?? {};
      const retention = attr(attr(lock, 'rule') as Hcl, 'default_retention') as Hcl;
      assert.deepEqual(
        [attr(retention, 'mode'), attr(retention, 'days')],
        ['GOVERNANCE', model.terraform.stateLockDays],
      );
      const document = blocks2(main, 'data').find(([t, n]) => t === 'aws_iam_policy_document' && n === 'state');
      const statements = (document?.[2].statement ?? []) as Hcl[];
      // Every statement that allows anything to anyone; none may delete a version or touch the protection.
      const guarded = [
        's3:BypassGovernanceRetention',
        's3:DeleteBucketPolicy',
        's3:DeleteObjectVersion',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketPolicy',
        's3:PutBucketVersioning',
        's3:PutLifecycleConfiguration',
        's3:PutObjectRetention',
      ];
      for (const st of statements.filter((x) => (attr(x, 'effect') ?? 'Allow') === 'Allow')) {
        const actions = attr(st, 'actions') as string[];
        assert.ok(!actions.some((a) => guarded.includes(a) || a.endsWith('*')), `${attr(st, 'sid')}: ${actions}`);
      }
      const deny = statements.find((x) => attr(x, 'sid') === 'DenyStateHistoryChanges');
      assert.ok(deny, 'DenyStateHistoryChanges');
      assert.equal(attr(deny, 'effect'), 'Deny');
      assert.deepEqual([...(attr(deny, 'actions') as string[])].sort(), guarded);
      assert.deepEqual(attr(deny, 'resources'), [tf('aws_s3_bucket.state.arn'), `${tf('aws_s3_bucket.state.arn')}/*`]);
      const principals = deny.principals as Hcl[];
      assert.deepEqual([attr(principals[0], 'type'), attr(principals[0], 'identifiers')], ['*', ['*']]);
      const condition = (deny.condition as Hcl[])[0];
      assert.deepEqual(
        [attr(condition, 'test'), attr(condition, 'variable'), attr(condition, 'values')],
        ['ArnNotEquals', 'aws:PrincipalArn', [tf('aws_iam_role.state_break_glass.arn')]],
      );
      // The break-glass role: this account's people with MFA; no web identity, so no workflow.
      const breakGlass = resources.get('aws_iam_role.state_break_glass') ?? {};
      assert.equal(attr(breakGlass, 'name'), model.terraform.stateBreakGlassRole.name);
      const trust = JSON.stringify(attr(breakGlass, 'assume_role_policy'));
      assert.match(trust, /aws:MultiFactorAuthPresent/);
      assert.ok(trust.includes(`arn:aws:iam::${model.awsAccountId}:root`));
      assert.doesNotMatch(trust, /AssumeRoleWithWebIdentity|Federated/);
      // The policy is applied after the protection it guards, or the apply would deny itself.
      const depends = JSON.stringify(attr(resources.get('aws_s3_bucket_policy.state') ?? {}, 'depends_on'));
      for (const r of [
        'aws_s3_bucket_versioning.state',
        'aws_s3_bucket_object_lock_configuration.state',
        'aws_s3_bucket_lifecycle_configuration.state',
      ]) {
        assert.ok(depends.includes(r), r);
      }
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      for (const step of [
        'force-unlock',
        'list-object-versions',
        'copy-object',
        model.terraform.stateBreakGlassRole.arn,
      ]) {
        assert.ok(readme.includes(step), `README, "Recovering state": ${step}`);
      }
    });

    it('denies each root’s state and lock to every principal but its own two roles (and break glass), as the README says', () => {
      const main = dirs.get('bootstrap')?.files.get('bootstrap/main.tf') ?? {};
      const document = blocks2(main, 'data').find(([t, n]) => t === 'aws_iam_policy_document' && n === 'state');
      const statements = (document?.[2].statement ?? []) as Hcl[];
      const bucket = tf('aws_s3_bucket.state.arn');
      /** Who may touch a key: every principal but those the Deny statement on it excepts is denied. */
      const allowedOn = new Map<string, string[]>();
      for (const [i, r] of model.terraform.roots.entries()) {
        const deny = statements.find((x) => attr(x, 'sid') === `OwnRolesOnly${i}`);
        assert.ok(deny, `a Deny for ${r.name}'s state`);
        assert.equal(attr(deny, 'effect'), 'Deny');
        assert.deepEqual(attr(deny, 'actions'), [
          's3:DeleteObject',
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
        ]);
        assert.deepEqual(attr(deny, 'resources'), [`${bucket}/${r.stateKey}`, `${bucket}/${r.stateKey}.tflock`]);
        const principals = deny.principals as Hcl[];
        assert.deepEqual([attr(principals[0], 'type'), attr(principals[0], 'identifiers')], ['*', ['*']]);
        const condition = (deny.condition as Hcl[])[0];
        assert.deepEqual([attr(condition, 'test'), attr(condition, 'variable')], ['ArnNotEquals', 'aws:PrincipalArn']);
        allowedOn.set(r.stateKey, attr(condition, 'values') as string[]);
      }
      // Every CI role reaches its own root's state and no other.
      for (const r of model.terraform.roots) {
        for (const role of [r.planRole, r.applyRole]) {
          for (const other of model.terraform.roots) {
            const allowed = allowedOn.get(other.stateKey)?.includes(role.arn);
            assert.equal(allowed, other === r, `${role.name} on ${other.stateKey}`);
          }
        }
      }
      for (const values of allowedOn.values()) assert.ok(values.includes(tf('aws_iam_role.state_break_glass.arn')));
      const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
      assert.match(
        readme,
        /denies each (root's state key and lock file|key and lock file) to every principal but (that|its) root's (plan and apply roles|two roles) and the break-glass role/,
      );
      assert.doesNotMatch(readme, /can read every state object/);
    });

    it('trusts GitHub only through StringEquals on aud and a sub of one repository, context and workflow file', () => {
      // The one place a GitHub trust policy is written.
      const role = dirs.get('terraform/iam/github-oidc-role');
      assert.ok(role);
      const call = role.modules.find((m) => m.name === 'role');
      assert.ok(call);
      assert.ok(!call.args.includes('enable_github_oidc'), 'no ForAllValues-based trust of the module');
      const trust = attr(call.body, 'trust_policy_permissions') as Record<string, Hcl>;
      assert.deepEqual(Object.keys(trust), ['GitHubActionsOidc']);
      const statement = trust.GitHubActionsOidc;
      assert.deepEqual(statement.actions, ['sts:AssumeRoleWithWebIdentity']);
      const conditions = statement.condition as { test: string; variable: string; values: unknown }[];
      assert.deepEqual(
        conditions.map((c) => [c.test, c.variable]),
        [
          ['StringEquals', 'token.actions.githubusercontent.com:aud'],
          // StringLike: the only wildcard is a pull request's number (checked below).
          ['StringLike', 'token.actions.githubusercontent.com:sub'],
        ],
      );
      assert.deepEqual(conditions[0].values, ['sts.amazonaws.com']);
      assert.equal(conditions[1].values, tf('var.subjects'));

      // No other trust of GitHub anywhere: no other use of the iam-role module, and no raw role that
      // trusts a web identity (the break-glass role trusts this account's people only).
      for (const [dir, d] of dirs) {
        for (const c of d.modules) {
          if (c.source.includes('iam-role')) assert.equal(dir, 'terraform/iam/github-oidc-role', `${c.file}`);
          assert.ok(!c.args.includes('enable_github_oidc'), c.file);
        }
        for (const [file, hcl] of d.files) {
          for (const [type, name, body] of blocks2(hcl, 'resource')) {
            if (type !== 'aws_iam_role') continue;
            const trust = JSON.stringify(attr(body, 'assume_role_policy'));
            assert.doesNotMatch(
              trust,
              /WebIdentity|Federated|githubusercontent/,
              `${file}: ${name} trusts a web identity`,
            );
          }
        }
      }

      // Every subject given to the module, evaluated from the rendered data.
      const exact =
        /^repo:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+):(ref:refs\/heads\/[A-Za-z0-9_./-]+|environment:[A-Za-z0-9_.-]+|pull_request):job_workflow_ref:\1\/\.github\/workflows\/[a-z]+\.yaml@refs\/(heads\/main|pull\/\*\/merge)$/;
      const subjectsOf: { role: string; subjects: string[] }[] = [];
      const services = JSON.parse(readFileSync(join(root, model.terraform.servicesFile), 'utf8'));
      const ciRole = dirs.get('global')?.modules.find((m) => m.name === 'ci_role');
      assert.deepEqual(attr(ciRole?.body ?? {}, 'subjects'), [tf('each.value.ciRoleSubject')]);
      for (const s of services) subjectsOf.push({ role: s.ciRole, subjects: [s.ciRoleSubject] });
      const ci = dirs.get('terraform/ci-access');
      assert.equal(
        attr(ci?.modules.find((m) => m.name === 'plan_role')?.body ?? {}, 'subjects'),
        tf('each.value.plan_subjects'),
      );
      assert.deepEqual(attr(ci?.modules.find((m) => m.name === 'apply_role')?.body ?? {}, 'subjects'), [
        tf('each.value.apply_subject'),
      ]);
      const bootstrap = dirs.get('bootstrap')?.files.get('bootstrap/main.tf') ?? {};
      const accessCalls = blocks(bootstrap, 'module').filter(([, b]) => attr(b, 'source') === '../terraform/ci-access');
      assert.equal(accessCalls.length, model.terraform.accounts.length, 'one ci-access per account');
      for (const [, body] of accessCalls) {
        for (const r of Object.values(attr(body, 'roots') as Record<string, Hcl>)) {
          subjectsOf.push({ role: r.plan_role, subjects: r.plan_subjects });
          subjectsOf.push({ role: r.apply_role, subjects: [r.apply_subject] });
          assert.match(r.apply_subject, /:environment:/, `${r.apply_role} is bound to a GitHub Environment`);
        }
      }
      assert.equal(subjectsOf.length, model.services.length + 2 * (model.environments.length + 1));
      for (const { role: name, subjects } of subjectsOf) {
        assert.ok(subjects.length > 0, name);
        const repos = new Set<string>();
        for (const s of subjects) {
          const m = exact.exec(s);
          assert.ok(m, `${name}: "${s}" is not a subject of one repository, context and workflow`);
          assert.equal(s.includes('*'), s.endsWith('@refs/pull/*/merge'), `${name}: "${s}" has a wildcard elsewhere`);
          repos.add(m[1]);
        }
        assert.equal(repos.size, 1, `${name}: one repository`);
      }
      // Expected bindings (GitHub's sub with the claim template repo, context, job_workflow_ref).
      const sub = (fullName: string, context: string, file: string, ref = 'refs/heads/main') =>
        `repo:${fullName}:${context}:job_workflow_ref:${fullName}/.github/workflows/${file}@${ref}`;
      for (const s of model.services) {
        assert.deepEqual(subjectsOf.find((x) => x.role === s.ciRole.name)?.subjects, [
          sub(s.repo.fullName, 'ref:refs/heads/main', 'ci.yaml'),
        ]);
      }
      const infra = model.repos.infra.fullName;
      for (const e of model.environments) {
        assert.deepEqual(subjectsOf.find((x) => x.role === e.infraApplyRole.name)?.subjects, [
          sub(infra, `environment:${e.name}`, 'terraform.yaml'),
        ]);
      }
      // Plan roles: drift.yaml on main and terraform.yaml on pull requests, except production's, which
      // reads the cluster's Secrets: there only jobs in the reviewed "<prod>-plan" GitHub Environment,
      // and terraform.yaml on main, whose plan the reviewed apply applies.
      const planRoles = [
        { name: 'global', role: model.terraform.globalPlanRole, isProduction: false },
        ...model.environments.map((e) => ({ name: e.name, role: e.infraPlanRole, isProduction: e.isProduction })),
      ];
      for (const e of planRoles) {
        const plan = subjectsOf.find((x) => x.role === e.role.name)?.subjects;
        const review = e.isProduction ? `environment:${e.name}-plan` : 'pull_request';
        assert.deepEqual(
          plan,
          [
            sub(infra, review, 'terraform.yaml', 'refs/pull/*/merge'),
            sub(infra, 'ref:refs/heads/main', 'drift.yaml'),
            ...(e.isProduction ? [sub(infra, 'ref:refs/heads/main', 'terraform.yaml')] : []),
          ],
          `${e.name} plan role`,
        );
      }
      const prodPlan =
        subjectsOf.find((x) => x.role === model.productionEnvironment.infraPlanRole.name)?.subjects ?? [];
      assert.ok(prodPlan.length > 0);
      assert.ok(!prodPlan.some((x) => x.includes(':pull_request:')), 'the production plan role trusts no pull request');
    });

    it('plans production on pull requests only in its reviewed Environment, and gates every apply', () => {
      type Job = { name?: string; if?: string; environment?: string; strategy?: { matrix: { include: Hcl[] } } };
      const workflow = parse(readFileSync(join(root, '.github/workflows/terraform.yaml'), 'utf8'));
      const jobs = workflow.jobs as Record<string, Job>;
      const prod = model.productionEnvironment;
      const rootsOf = (job: Job) => (job.strategy?.matrix.include ?? []).map((r) => r.root as string);
      const allRoots = ['global', ...model.environments.map((e) => e.name)];

      const planJobs = Object.entries(jobs).filter(
        ([, j]) => j.if === "github.event_name == 'pull_request'" && j.strategy,
      );
      assert.deepEqual(planJobs.flatMap(([, j]) => rootsOf(j)).sort(), [...allRoots].sort(), 'each root planned once');
      for (const [id, job] of planJobs) {
        for (const r of job.strategy?.matrix.include ?? []) {
          const isProd = r.root === prod.name;
          assert.equal(job.environment, isProd ? `${prod.name}-plan` : undefined, `${id} (${r.root})`);
          if (isProd) {
            assert.equal(rootsOf(job).length, 1, `${id}: production's plan job plans nothing else`);
            assert.equal(r.role, prod.infraPlanRole.arn);
          }
        }
      }
      const driftWorkflow = parse(readFileSync(join(root, '.github/workflows/drift.yaml'), 'utf8'));
      const drift = (driftWorkflow.jobs as Record<string, Job>).drift;
      assert.equal(drift.environment, undefined, 'the drift check runs on main without an Environment');
      assert.deepEqual(rootsOf(drift).sort(), [...allRoots].sort());

      const applyJobs = Object.entries(jobs).filter(([id]) => id.startsWith('apply-'));
      assert.equal(applyJobs.length, allRoots.length);
      for (const [id, job] of applyJobs) {
        assert.ok(
          job.if?.includes(`vars.${model.terraform.applyEnabledVariable} == 'true'`),
          `${id} waits for the repository variable`,
        );
      }
      assert.equal(model.terraform.applyEnabledVariable, 'TERRAFORM_APPLY_ENABLED');
      for (const [id, job] of Object.entries(jobs)) {
        if (job.environment && !id.startsWith('apply-')) assert.equal(job.environment, `${prod.name}-plan`, id);
      }
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      assert.ok(readme.includes(`environments/${prod.name}-plan`), 'README creates the plan Environment');
      assert.ok(readme.includes(`-f name=${model.terraform.applyEnabledVariable} -f value=true`));
      assert.ok(
        readme.indexOf(`environments/${prod.name}-plan`) <
          readme.indexOf(`name=${model.terraform.applyEnabledVariable}`),
        'the Environments exist before applies are enabled',
      );
    });

    it('with a domain, requests a DNS-validated certificate per environment and never waits for validation', () => {
      for (const env of model.environments) {
        const dir = `environments/${env.name}`;
        const d = dirs.get(dir);
        assert.ok(d);
        const resources = [...d.files.values()].flatMap((f) => blocks2(f, 'resource'));
        const certs = resources.filter(([t]) => t === 'aws_acm_certificate');
        assert.ok(!resources.some(([t]) => t === 'aws_acm_certificate_validation'), dir);
        if (!model.domain) {
          assert.equal(certs.length, 0, dir);
          assert.equal(env.certificateDomain, undefined);
          continue;
        }
        assert.equal(env.certificateDomain, `*.${env.name}.${model.domain}`);
        assert.equal(certs.length, 1, dir);
        const [, name, cert] = certs[0];
        assert.equal(attr(cert, 'domain_name'), env.certificateDomain);
        assert.equal(attr(cert, 'validation_method'), 'DNS');
        assert.equal(attr(attr(cert, 'lifecycle') as Hcl, 'create_before_destroy'), true);
        // The wildcard covers exactly one label: every service's host in this environment.
        for (const s of model.services) {
          const host = s.environments[env.index].host ?? '';
          assert.equal(`*.${host.split('.').slice(1).join('.')}`, env.certificateDomain, host);
        }
        const outputs = d.files.get(`${dir}/outputs.tf`) ?? {};
        const records = blocks(outputs, 'output').find(([n]) => n === 'certificate_validation_records');
        assert.ok(records, `${dir}: validation records output`);
        assert.match(
          String(attr(records[1], 'value')),
          new RegExp(`aws_acm_certificate\\.${name}\\.domain_validation_options`),
        );
      }
    });

    it('gives Argo CD the Application health check, so the root Application’s sync waves wait for child Applications', () => {
      const argocd = dirs.get('terraform/argocd')?.files.get('terraform/argocd/main.tf') ?? {};
      const release = blocks2(argocd, 'resource').find(([t, n]) => t === 'helm_release' && n === 'argo_cd');
      assert.ok(release);
      assert.match(JSON.stringify(attr(release[2], 'values')), /templatefile\(.*argo-cd-values\.yaml\.tftpl/);
      const values = parse(readFileSync(join(root, 'terraform', 'argocd', 'argo-cd-values.yaml.tftpl'), 'utf8'));
      const health = values.configs.cm['resource.customizations.health.argoproj.io_Application'];
      assert.match(health, /^ +hs\.status = obj\.status\.health\.status$/m);
    });

    it('lets each CI role push to its own ECR repository only, and the environment accounts pull', () => {
      const global = dirs.get('global');
      const ciRole = global?.modules.find((m) => m.name === 'ci_role');
      const statements = attr(ciRole?.body ?? {}, 'inline_policy_statements') as Record<string, Hcl>;
      assert.deepEqual(statements.EcrLogin.resources, ['*']);
      assert.deepEqual(statements.EcrLogin.actions, ['ecr:GetAuthorizationToken']);
      assert.deepEqual(statements.EcrPush.resources, [tf('module.ecr[each.key].arn')]);
      assert.ok(!JSON.stringify(statements.EcrPush.actions).includes('*'));
      const ecr = dirs.get('terraform/ecr')?.modules.find((m) => m.name === 'repository');
      assert.equal(attr(ecr?.body ?? {}, 'repository_image_tag_mutability'), 'IMMUTABLE');
      assert.equal(attr(ecr?.body ?? {}, 'repository_image_scan_on_push'), true);
      assert.equal(attr(ecr?.body ?? {}, 'create_lifecycle_policy'), true);
      const main = readFileSync(join(root, 'global', 'main.tf'), 'utf8');
      const pull = /ecr_pull_account_ids = \[(.*)\]/.exec(main)?.[1] ?? '';
      assert.deepEqual(
        [...pull.matchAll(/"(\d{12})"/g)].map((m) => m[1]),
        model.terraform.ecrPullAccounts,
      );
      assert.deepEqual(
        model.terraform.ecrPullAccounts,
        [...new Set(model.environments.map((e) => e.accountId))].filter((a) => a !== model.awsAccountId),
      );
    });

    it('names the EKS KMS key administrators (the apply role), so no plan sees a key policy change', () => {
      // terraform-aws-eks: key_administrators = coalescelist(var.kms_key_administrators, [caller]):
      // left empty, the plan role's plans and drift checks would differ from every apply.
      const eks = dirs.get('terraform/eks')?.modules.find((m) => m.name === 'eks');
      assert.deepEqual(attr(eks?.body ?? {}, 'kms_key_administrators'), [tf('var.terraform_apply_role_arn')]);
      for (const env of model.environments) {
        const root = dirs.get(env.terraformDir)?.modules.find((m) => m.name === 'eks');
        assert.equal(attr(root?.body ?? {}, 'terraform_apply_role_arn'), env.infraApplyRole.arn, env.name);
      }
    });

    it('keeps each cluster on standard support, and its add-ons on versions that do not move by themselves', () => {
      const eks = dirs.get('terraform/eks')?.modules.find((m) => m.name === 'eks');
      assert.deepEqual(attr(eks?.body ?? {}, 'upgrade_policy'), { support_type: 'STANDARD' });
      const addons = attr(eks?.body ?? {}, 'addons') as Record<string, Hcl>;
      assert.deepEqual(Object.keys(addons).sort(), [
        'coredns',
        'eks-pod-identity-agent',
        'kube-proxy',
        'metrics-server',
        'vpc-cni',
      ]);
      for (const [name, addon] of Object.entries(addons)) {
        // The module defaults most_recent to true: every apply would take the newest version.
        assert.equal(attr(addon, 'most_recent'), false, name);
        // python-hcl2 renders the call compactly (and null as None).
        assert.equal(attr(addon, 'addon_version'), tf(`lookup(var.addon_versions,"${name}",None)`), name);
      }
      for (const env of model.environments) {
        const root = dirs.get(env.terraformDir)?.modules.find((m) => m.name === 'eks');
        assert.equal(attr(root?.body ?? {}, 'addon_versions'), tf('var.addon_versions'), env.name);
      }
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      assert.match(readme, /\*\*Standard support only\*\*/);
    });

    it('gives developers a read-only kubectl role per environment: view access without Secrets, nothing else in AWS', () => {
      const eks = dirs.get('terraform/eks');
      const module = eks?.modules.find((m) => m.name === 'eks');
      const entries = JSON.stringify(attr(module?.body ?? {}, 'access_entries'));
      // python-hcl2 renders the merge() call as Python literals.
      const developers = `'developers': {'principal_arn': '${tf('aws_iam_role.developers.arn')}', 'policy_associations': {'view': {'policy_arn': '${tf('local.access_policy')}/AmazonEKSViewPolicy'`;
      assert.ok(entries.includes(developers), entries);
      const main = eks?.files.get('terraform/eks/main.tf') ?? {};
      const resources = new Map(blocks2(main, 'resource').map(([t, n, b]) => [`${t}.${n}`, b]));
      const trust = JSON.stringify(attr(resources.get('aws_iam_role.developers') ?? {}, 'assume_role_policy'));
      assert.match(trust, /aws:MultiFactorAuthPresent/);
      assert.doesNotMatch(trust, /WebIdentity|Federated/);
      const policy = JSON.stringify(attr(resources.get('aws_iam_role_policy.developers') ?? {}, 'policy'));
      assert.ok(policy.includes("'Action': ['eks:DescribeCluster'], 'Resource': ["), policy);
      assert.match(policy, /module\.eks\.cluster_arn/);
      assert.equal(blocks2(main, 'resource').filter(([t]) => t === 'aws_iam_role_policy_attachment').length, 0);
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      for (const env of model.environments) {
        const call = dirs.get(env.terraformDir)?.modules.find((m) => m.name === 'eks');
        assert.equal(attr(call?.body ?? {}, 'developer_role_name'), env.developerRole.name, env.name);
        assert.ok(
          readme.includes(`| \`${env.developerRole.name}\` | ${env.accountId} |`),
          `README lists ${env.developerRole.name}`,
        );
      }
    });

    it('lets the promote workflow only tag images of the service repositories, from its environment only', () => {
      const promote = dirs.get('global')?.modules.find((m) => m.name === 'promote_role');
      assert.deepEqual(attr(promote?.body ?? {}, 'subjects'), [model.promote.roleSubject]);
      assert.equal(attr(promote?.body ?? {}, 'name'), model.promote.role.name);
      const statements = attr(promote?.body ?? {}, 'inline_policy_statements') as Record<string, Hcl>;
      assert.deepEqual(Object.keys(statements), ['EcrTag']);
      assert.deepEqual(statements.EcrTag.actions, ['ecr:BatchGetImage', 'ecr:PutImage']);
      assert.equal(statements.EcrTag.resources, tf('[for name in sort(keys(local.services)) : module.ecr[name].arn]'));
    });

    it('writes services.json as stable data every root reads', () => {
      const path = join(root, model.terraform.servicesFile);
      const text = readFileSync(path, 'utf8');
      const services = JSON.parse(text);
      assert.equal(text, `${JSON.stringify(services, null, 2)}\n`, '2-space indent, trailing newline');
      assert.deepEqual(
        services.map((s: { name: string }) => s.name),
        model.services.map((s) => s.name),
      );
      for (const s of services) {
        assert.deepEqual(Object.keys(s), [
          'name',
          'port',
          'repository',
          'ecrRepository',
          'ciRole',
          'ciRoleSubject',
          'namespace',
          'serviceAccount',
          'podRoles',
        ]);
      }
      for (const dir of ['global', ...model.environments.map((e) => `environments/${e.name}`)]) {
        const main = readFileSync(join(root, dir, 'main.tf'), 'utf8');
        const depth = dir.split('/').length;
        assert.ok(
          main.includes(`jsondecode(file("\${path.root}/${'../'.repeat(depth)}${model.terraform.servicesFile}"))`),
          `${dir} reads ${model.terraform.servicesFile}`,
        );
      }
    });

    it('takes Argo CD settings of each environment (argocd_extra_values), applied over the generated values', () => {
      const argocd = dirs.get('terraform/argocd')?.files.get('terraform/argocd/main.tf') ?? {};
      const release = blocks2(argocd, 'resource').find(([t, n]) => t === 'helm_release' && n === 'argo_cd');
      assert.ok(release);
      // Helm merges the values list in order: the extra values must come last to override.
      const values = JSON.stringify(attr(release[2], 'values'));
      assert.ok(values.indexOf('var.extra_values') > values.indexOf('templatefile('), values);
      for (const env of model.environments) {
        const dir = dirs.get(env.terraformDir);
        const call = dir?.modules.find((m) => m.name === 'argocd');
        assert.ok(call?.args.includes('extra_values'), `${env.terraformDir}: module "argocd" gets extra_values`);
        assert.equal(dir?.variables.get('argocd_extra_values')?.required, false, 'optional: empty by default');
      }
    });

    it('keeps the Argo CD repo credential out of Git, the plan and the state', () => {
      const argocd = dirs.get('terraform/argocd')?.files.get('terraform/argocd/main.tf') ?? {};
      const ephemeral = blocks2(argocd, 'ephemeral');
      assert.deepEqual(
        ephemeral.map(([t]) => t),
        ['aws_secretsmanager_secret_version'],
      );
      assert.equal(blocks2(argocd, 'data').length, 0, 'no data source (it would land in the state)');
      const secret = blocks2(argocd, 'resource').find(([t]) => t === 'kubernetes_secret_v1');
      assert.ok(secret);
      assert.ok('data_wo' in secret[2] && !('data' in secret[2]), 'write-only data');
      assert.match(JSON.stringify(secret[2]), /argocd\.argoproj\.io\/secret-type/);
      for (const env of model.environments) {
        // External Secrets reads <org>/<env>/*: no prefix of any environment covers the credential.
        for (const other of model.environments) assert.ok(!env.argocdRepoSecretName.startsWith(other.secretsPrefix));
      }
      for (const file of listFiles(root)) {
        assert.doesNotMatch(readFileSync(join(root, file), 'utf8'), /BEGIN [A-Z ]*PRIVATE KEY/, file);
      }
    });
  });
}

/** One model, both repos: what the GitOps repo expects is what Terraform creates. */
describe('infra and GitOps repos agree (one model renders both)', () => {
  const model = modelFor('full', [{ name: 'web', port: 8081 }]);
  const gitops = new Map(renderRepo(model, 'gitops').files.map((f) => [f.path, f.content]));
  const infra = new Map(renderRepo(model, 'infra').files.map((f) => [f.path, f.content]));
  const services = JSON.parse(infra.get(model.terraform.servicesFile) ?? '[]') as {
    name: string;
    ecrRepository: string;
    ciRole: string;
    namespace: string;
    serviceAccount: string;
    podRoles: Record<string, string>;
  }[];
  const yamlOf = (path: string) => {
    const text = gitops.get(path);
    assert.ok(text, `GitOps repo has ${path}`);
    return parse(text);
  };
  /** `name = "value"` of an HCL file (first match, from the module block that follows `after`). */
  const hclValue = (text: string, name: string, after = '') => {
    const from = after ? text.indexOf(after) : 0;
    assert.ok(from >= 0, after);
    const m = new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, 'm').exec(text.slice(from));
    assert.ok(m, `${name} after ${after}`);
    return m[1];
  };

  it('covers every service of the model', () => {
    assert.deepEqual(
      services.map((s) => s.name),
      ['payments', 'web'],
    );
  });

  it('Pod Identity: the service account and namespace are the chart’s and the Application’s', () => {
    for (const s of services) {
      const values = yamlOf(`charts/${s.name}/values.yaml`);
      assert.equal(s.serviceAccount, values.serviceAccount.name);
      for (const env of model.environments) {
        const app = yamlOf(`argocd/${env.name}/apps/${s.name}.yaml`);
        assert.equal(s.namespace, app.spec.destination.namespace, `${s.name} in ${env.name}`);
        const main = infra.get(`environments/${env.name}/main.tf`) ?? '';
        assert.match(main, /namespace\s+= each\.value\.namespace/);
        assert.match(main, /service_account = each\.value\.serviceAccount/);
        assert.equal(
          s.podRoles[env.name],
          model.services.find((x) => x.name === s.name)?.environments[env.index].podRole.name,
        );
      }
    }
    for (const env of model.environments) {
      const main = infra.get(`environments/${env.name}/main.tf`) ?? '';
      const eso = yamlOf(`argocd/${env.name}/platform/external-secrets.yaml`);
      assert.equal(hclValue(main, 'namespace', 'module "external_secrets_role"'), eso.spec.destination.namespace);
      assert.equal(
        hclValue(main, 'service_account', 'module "external_secrets_role"'),
        eso.spec.source.helm.valuesObject.serviceAccount.name,
      );
      assert.equal(hclValue(main, 'name', 'module "external_secrets_role"'), env.externalSecretsRole.name);
      if (model.loadBalancerController && env.loadBalancerControllerRole) {
        const lbc = yamlOf(`argocd/${env.name}/platform/aws-load-balancer-controller.yaml`);
        const after = 'module "load_balancer_controller_role"';
        assert.equal(hclValue(main, 'namespace', after), lbc.spec.destination.namespace);
        assert.equal(hclValue(main, 'service_account', after), lbc.spec.source.helm.valuesObject.serviceAccount.name);
        assert.equal(hclValue(main, 'name', after), env.loadBalancerControllerRole.name);
        assert.equal(hclValue(main, 'name', 'module "vpc"'), lbc.spec.source.helm.valuesObject.vpcTags.Name);
        assert.equal(hclValue(main, 'cluster_name'), lbc.spec.source.helm.valuesObject.clusterName);
      }
    }
  });

  it('ECR: the repository names are the chart values’ image.repository, in the global account’s registry', () => {
    for (const s of services) {
      const repository: string = yamlOf(`charts/${s.name}/values.yaml`).image.repository;
      const registry = `${model.awsAccountId}.dkr.ecr.${model.awsRegion}.amazonaws.com/`;
      assert.ok(repository.startsWith(registry), repository);
      assert.equal(repository.slice(registry.length), s.ecrRepository);
    }
  });

  it('Argo CD: each root Application syncs argocd/<env> of the GitOps repo, which exists there', () => {
    for (const env of model.environments) {
      const main = infra.get(`environments/${env.name}/main.tf`) ?? '';
      const path = hclValue(main, 'path', 'module "argocd"');
      assert.equal(path, `argocd/${env.name}`);
      assert.ok(
        [...gitops.keys()].some((f) => f.startsWith(`${path}/`)),
        `${path}/ in the GitOps repo`,
      );
      const repoUrl = hclValue(main, 'repo_url', 'module "argocd"');
      const app = yamlOf(`argocd/${env.name}/apps/${services[0].name}.yaml`);
      for (const source of app.spec.sources) assert.equal(source.repoURL, repoUrl);
      assert.equal(hclValue(main, 'namespace', 'module "argocd"'), app.metadata.namespace);
      assert.equal(hclValue(main, 'cluster_name'), env.clusterName);
      assert.equal(hclValue(main, 'destination_server', 'module "argocd"'), app.spec.destination.server);
    }
  });
});

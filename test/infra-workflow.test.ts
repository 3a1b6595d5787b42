/**
 * The infra repo's pipeline, read as GitHub runs it: a merged change is never dropped, production's
 * approval is asked only when production changes and applies the plan that was approved.
 *
 * GitHub's rules these tests hold the workflows to (docs, "Control the concurrency of workflows and
 * jobs"): in a concurrency group at most one run or job is running and one pending; a newer pending
 * one cancels the older pending one. So the drift check must never share a group with an apply, and
 * one root's pending approval must not hold another root's apply. scripts/changed-roots.sh runs for
 * real on a git history of the rendered repo.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Model } from '../generators/lib/model.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { answerSets, modelFor } from './support/workspace.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string[] | string;
  environment?: string;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
  outputs?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency: { group: string; 'cancel-in-progress': boolean | string };
  jobs: Record<string, Job>;
}

const needsOf = (job: Job) => (typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []));
const flat = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
  describe(`infra pipeline (${set}: ${answerSets[set].description})`, () => {
    const model: Model = modelFor(set);
    const { roots } = model.terraform;
    let dir = '';
    let terraform: Workflow;
    let drift: Workflow;
    before(() => {
      dir = tempDir(`infra-workflow-${set}`);
      writeFiles(dir, renderRepo(model, 'infra').files);
      terraform = parse(readFileSync(join(dir, '.github/workflows/terraform.yaml'), 'utf8'));
      drift = parse(readFileSync(join(dir, '.github/workflows/drift.yaml'), 'utf8'));
    });

    it('runs the drift check in a workflow and group of its own, never in an apply run', () => {
      assert.ok(!('schedule' in terraform.on), 'no schedule in the terraform workflow');
      assert.ok('workflow_dispatch' in terraform.on, 'run by hand for the first apply of every root');
      assert.ok('schedule' in drift.on);
      assert.deepEqual(Object.keys(drift.jobs), ['drift']);
      // A push to main gets a group of its own (the run id): no run on main replaces another.
      assert.match(terraform.concurrency.group, /github\.run_id/);
      const applyGroups = Object.values(terraform.jobs)
        .map((j) => j.concurrency?.group)
        .filter(Boolean);
      assert.ok(!applyGroups.includes(drift.concurrency.group));
      assert.equal(drift.concurrency['cancel-in-progress'], false);
    });

    it('applies each root in a group of its own, only when the push changed it, after every earlier root', () => {
      const jobs = terraform.jobs;
      const changes = jobs[model.terraform.changesJob];
      assert.deepEqual(Object.keys(changes.outputs ?? {}).sort(), roots.map((r) => r.name).sort());
      assert.ok(
        changes.steps.some((s) => s.run?.includes('scripts/changed-roots.sh "$BEFORE" "$GITHUB_SHA"')),
        'the changes job compares the commit before the push with the pushed one',
      );
      const checkout = changes.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
      assert.equal(checkout?.with?.['fetch-depth'], 0, 'the history is there to compare');
      const groups = new Set<string>();
      roots.forEach((r, i) => {
        const job = jobs[r.applyJob];
        assert.ok(job, r.applyJob);
        assert.deepEqual(job.concurrency, { group: `terraform-apply-${r.name}`, 'cancel-in-progress': false });
        groups.add(job.concurrency?.group ?? '');
        const condition = flat(job.if);
        assert.ok(condition.includes(`needs.${model.terraform.changesJob}.outputs.${r.name} == 'true'`), condition);
        assert.ok(condition.includes("!contains(needs.*.result, 'failure')"), condition);
        assert.ok(condition.includes("!contains(needs.*.result, 'cancelled')"), condition);
        assert.ok(condition.startsWith('${{ !cancelled()'), `a skipped earlier root must not skip ${r.name}`);
        // Every earlier root's jobs, so a failure anywhere before stops it.
        for (const earlier of roots.slice(0, i)) {
          assert.ok(needsOf(job).includes(earlier.applyJob), `${r.applyJob} needs ${earlier.applyJob}`);
        }
        assert.ok(needsOf(job).includes('checks') && needsOf(job).includes(model.terraform.changesJob));
        assert.equal(job.environment, r.githubEnvironment);
      });
      assert.equal(groups.size, roots.length, 'one group per root');
    });

    it('applies production from the plan made on main before the approval, and nothing else', () => {
      const prod = roots.find((r) => r.reviewed);
      assert.ok(prod?.reviewedPlan, 'production is reviewed');
      assert.deepEqual(
        roots.filter((r) => r.reviewedPlan).map((r) => r.name),
        [model.productionEnvironment.name],
      );
      const plan = terraform.jobs[prod.reviewedPlan.job];
      const apply = terraform.jobs[prod.applyJob];
      assert.equal(plan.environment, undefined, 'planned without waiting for anyone');
      assert.deepEqual(plan.concurrency, apply.concurrency, 'a plan waits for an apply of the same root');
      const planRun = plan.steps.map((s) => s.run ?? '').join('\n');
      assert.match(planRun, /terraform plan .*-out=tfplan/);
      assert.match(planRun, /terraform show -no-color tfplan/);
      assert.match(planRun, /GITHUB_STEP_SUMMARY/);
      const creds = plan.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      assert.equal(creds?.with?.['role-to-assume'], prod.planRole.arn);
      const env = model.productionEnvironment;
      // Its plan role trusts terraform.yaml on main (test/oidc-trust.test.ts checks every job's token).
      const infra = model.repos.infra.fullName;
      assert.ok(
        env.infraPlanSubjects.includes(
          `repo:${infra}:ref:refs/heads/main:job_workflow_ref:${infra}/.github/workflows/terraform.yaml@refs/heads/main`,
        ),
      );
      const upload = plan.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
      assert.deepEqual(
        [upload?.with?.name, upload?.with?.path, upload?.with?.['if-no-files-found']],
        [prod.reviewedPlan.artifact, `${prod.dir}/tfplan`, 'error'],
      );

      assert.ok(needsOf(apply).includes(prod.reviewedPlan.job));
      assert.ok(flat(apply.if).includes(`needs.${prod.reviewedPlan.job}.result == 'success'`));
      assert.equal(apply.environment, prod.githubEnvironment);
      const download = apply.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
      assert.deepEqual([download?.with?.name, download?.with?.path], [prod.reviewedPlan.artifact, prod.dir]);
      const applyRun = apply.steps.map((s) => s.run ?? '').join('\n');
      assert.doesNotMatch(applyRun, /terraform plan/, 'no new plan after the approval');
      assert.match(applyRun, /terraform apply -input=false -lock-timeout=10m -no-color tfplan/);
      // The roots that need no approval plan and apply in one job.
      for (const r of roots.filter((x) => !x.reviewed)) {
        assert.match(
          terraform.jobs[r.applyJob].steps.map((s) => s.run ?? '').join('\n'),
          /terraform plan .*-out=tfplan/,
        );
      }
    });

    it('uses the committed provider builds: every plan and apply inits with -lockfile=readonly; the checks want a lock file per root', () => {
      const runs = [...Object.entries(terraform.jobs), ...Object.entries(drift.jobs)].flatMap(([id, job]) =>
        job.steps.filter((st) => st.run?.includes('terraform init')).map((st) => ({ id, run: st.run ?? '' })),
      );
      const rootInits = runs.filter((r) => r.id !== 'checks');
      assert.ok(rootInits.length >= roots.length, 'plans and applies init');
      for (const { id, run } of rootInits) {
        for (const line of run.split('\n').filter((l) => l.includes('terraform init'))) {
          assert.match(line, /-lockfile=readonly/, `${id}: ${line.trim()}`);
        }
      }
      const check = terraform.jobs.checks.steps.find((st) => st.name === 'Every root has its provider lock file');
      const listed = /for root in (.+); do/.exec(check?.run ?? '')?.[1].split(' ');
      assert.deepEqual(listed, ['bootstrap', ...roots.map((r) => r.dir)]);
    });

    it('scripts/lock-providers.sh locks every root for linux_amd64 and darwin_arm64 (stand-in terraform)', () => {
      const bin = tempDir('terraform-stand-in');
      const log = join(bin, 'calls.log');
      writeFileSync(join(bin, 'terraform'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\n`);
      chmodSync(join(bin, 'terraform'), 0o755);
      const r = spawnSync(join(dir, 'scripts', 'lock-providers.sh'), [], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      assert.equal(r.status, 0, r.stderr);
      const expected = ['bootstrap', ...roots.map((x) => x.dir)].flatMap((d) => [
        `-chdir=${d} init -backend=false -input=false`,
        `-chdir=${d} providers lock -platform=linux_amd64 -platform=darwin_arm64`,
      ]);
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), expected);
      const none = spawnSync(join(dir, 'scripts', 'lock-providers.sh'), [], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: '/usr/bin:/bin' },
      });
      assert.equal(none.status, 1);
      assert.match(none.stderr, /terraform is not installed/);
    });

    describe('scripts/teardown.sh, against stand-ins for aws, kubectl and terraform', () => {
      const env = model.productionEnvironment;
      let bin = '';
      let log = '';
      before(() => {
        bin = tempDir('teardown-stand-ins');
        log = join(bin, 'calls.log');
        // kubectl lists what is left for $LEFT_FOR looks (counted in a file), then nothing.
        const tool = (name: string, body: string) => {
          writeFileSync(join(bin, name), `#!/usr/bin/env bash\nprintf '${name} %s\\n' "$*" >> "$CALLS"\n${body}\n`);
          chmodSync(join(bin, name), 0o755);
        };
        tool('aws', '');
        tool('terraform', '');
        tool(
          'kubectl',
          `if [[ $1 == get ]]; then
  n=$(cat "$CALLS.looks" 2>/dev/null || echo 0)
  if [[ $2 == applications.argoproj.io ]]; then echo $((n + 1)) > "$CALLS.looks"; fi
  if (( n < LEFT_FOR )); then
    case $2 in
      applications.argoproj.io) echo "application.argoproj.io/api-${env.name}" ;;
      ingresses) echo "ingress.networking.k8s.io/api" ;;
    esac
  fi
fi`,
        );
      });
      const teardown = (args: string[], leftFor: number, extra: NodeJS.ProcessEnv = {}, input = '') => {
        writeFileSync(log, '');
        writeFileSync(`${log}.looks`, '0');
        return spawnSync(join(dir, 'scripts', 'teardown.sh'), args, {
          cwd: dir,
          encoding: 'utf8',
          input,
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH}`,
            CALLS: log,
            LEFT_FOR: String(leftFor),
            TEARDOWN_INTERVAL: '0',
            ...extra,
          },
        });
      };
      const calls = () =>
        readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('kubectl get'));

      it('deletes the root Application, waits until nothing it deployed is left, then destroys the root', () => {
        const r = teardown([env.name, '--yes'], 3);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(calls(), [
          `aws eks update-kubeconfig --region ${model.awsRegion} --name ${env.clusterName}`,
          `kubectl delete application.argoproj.io ${model.argocd.rootApplication} -n ${model.argocd.namespace} --ignore-not-found --wait=false`,
          `terraform -chdir=${env.terraformDir} init -input=false -lockfile=readonly`,
          `terraform -chdir=${env.terraformDir} destroy -input=false -auto-approve`,
        ]);
        assert.equal(readFileSync(`${log}.looks`, 'utf8').trim(), '4', 'looked until nothing was left');
        assert.match(r.stdout, /waiting for 2 object\(s\)/);
      });

      it('never destroys the root while something Argo CD deployed is left, nor without a yes', () => {
        const late = teardown([env.name, '--yes'], 1000, { TEARDOWN_TIMEOUT: '1' });
        assert.equal(late.status, 1);
        assert.match(late.stderr, /still there after 1s/);
        assert.ok(!calls().some((c) => c.startsWith('terraform')), 'terraform ran');
        const no = teardown([env.name], 0, {}, 'no\n');
        assert.equal(no.status, 2);
        assert.ok(
          !calls().some((c) => c.startsWith('kubectl delete') || c.startsWith('terraform')),
          calls().join('\n'),
        );
        for (const args of [[], ['nope'], [env.name, '--force'], ['$(touch x)']]) {
          const bad = teardown(args, 0);
          assert.equal(bad.status, 2, args.join(' '));
          assert.equal(readFileSync(log, 'utf8'), '', `${args.join(' ')}: something ran`);
        }
      });

      it('destroys Argo CD before the roles and the certificate its controllers need (the root’s dependencies)', () => {
        const main = readFileSync(join(dir, env.terraformDir, 'main.tf'), 'utf8');
        const argocd = /module "argocd" \{[\s\S]*?\n\}/.exec(main)?.[0] ?? '';
        const depends = /depends_on = \[([\s\S]*?)\]/
          .exec(argocd)?.[1]
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean);
        const expected = [
          'module.eks',
          'module.external_secrets_role',
          ...(env.loadBalancerControllerRole
            ? ['module.load_balancer_controller_role', 'aws_acm_certificate.ingress']
            : []),
          'module.service_role',
        ];
        assert.deepEqual(depends, expected);
      });
    });

    describe('scripts/changed-roots.sh on a git history of the repo', () => {
      let base = '';
      const envRoots = roots.filter((r) => r.name !== 'global').map((r) => r.name);
      const changedRoots = (from: string, to = 'HEAD') => {
        const r = spawnSync(join(dir, 'scripts', 'changed-roots.sh'), [from, to], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, GITHUB_OUTPUT: '' },
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout
          .trim()
          .split('\n')
          .filter((l) => l.endsWith('=true'))
          .map((l) => l.slice(0, -'=true'.length));
      };
      const commit = (file: string, text = '\n# changed\n') => {
        git(dir, 'checkout', '--quiet', base);
        appendFileSync(join(dir, file), text);
        git(dir, 'commit', '--quiet', '-am', `change ${file}`);
      };

      before(() => {
        git(dir, 'init', '--quiet', '-b', 'main');
        git(dir, 'config', 'user.name', 'Test');
        git(dir, 'config', 'user.email', 'test@example.com');
        git(dir, 'add', '--all');
        git(dir, 'commit', '--quiet', '-m', 'Initial commit');
        base = git(dir, 'rev-parse', 'HEAD');
      });

      it('one environment’s values: that root only', () => {
        const prod = model.productionEnvironment;
        commit(`${prod.terraformDir}/terraform.tfvars`);
        assert.deepEqual(changedRoots(base), [prod.name]);
      });

      it('a module every environment uses: every environment, not global', () => {
        commit('terraform/eks/main.tf');
        assert.deepEqual(changedRoots(base), envRoots);
      });

      it('a module only global uses, and the services file every root reads', () => {
        commit('terraform/ecr/main.tf');
        assert.deepEqual(changedRoots(base), ['global']);
        commit(model.terraform.servicesFile, ' ');
        assert.deepEqual(
          changedRoots(base),
          roots.map((r) => r.name),
        );
      });

      it('a README or a workflow: nothing to apply; no known base (a run by hand): everything', () => {
        commit('README.md');
        assert.deepEqual(changedRoots(base), []);
        assert.deepEqual(
          changedRoots(''),
          roots.map((r) => r.name),
        );
        assert.deepEqual(
          changedRoots('0'.repeat(40)),
          roots.map((r) => r.name),
        );
        assert.deepEqual(
          changedRoots('1'.repeat(40)),
          roots.map((r) => r.name),
        );
      });

      it('watches exactly the local modules each root calls, transitively', () => {
        const sources = (folder: string): string[] => {
          const text = readFileSync(join(dir, folder, 'main.tf'), 'utf8');
          const local = [...text.matchAll(/^\s*source\s*=\s*"(\.\.?\/[^"]+)"/gm)].map((m) =>
            join(folder, m[1]).replace(/\\/g, '/'),
          );
          return [...new Set(local.flatMap((m) => [m, ...sources(m)]))];
        };
        for (const r of roots) {
          const modules = r.watchPaths.filter((p) => p.startsWith('terraform/'));
          assert.deepEqual([...modules].sort(), sources(r.dir).sort(), r.name);
        }
      });
    });
  });
}

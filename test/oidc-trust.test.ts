/**
 * Who can assume the platform's CI roles: the `sub` claim GitHub gives each job that assumes one,
 * built from the generated workflows by GitHub's documented template (repo, context,
 * job_workflow_ref: docs "Customizing the subject claims", whose example reads
 * `repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main`),
 * matched as the trust policy does (StringLike, case-sensitive) against the subjects the infra repo
 * renders. Every job can assume its role, no trusted subject is left unused, and tokens of other
 * workflows, branches, owners and contexts cannot. With tofu, the role module's own validation
 * accepts every generated subject and refuses the malformed ones.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import type { Model } from '../generators/lib/model.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, run } from './support/tools.ts';
import { modelFor } from './support/workspace.ts';

interface Job {
  if?: string;
  environment?: string | { name: string };
  strategy?: { matrix?: { include?: Record<string, string>[] } };
  steps?: { uses?: string; with?: Record<string, string> }[];
}

interface Assumption {
  where: string;
  role: string;
  sub: string;
}

/** GitHub's `sub` with the claim template repo, context, job_workflow_ref. */
function githubSub(fullName: string, context: string, file: string, ref: string): string {
  return `repo:${fullName}:${context}:job_workflow_ref:${fullName}/.github/workflows/${file}@${ref}`;
}

/** IAM's StringLike: `*` any characters, `?` one; case-sensitive. */
function stringLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

const PR_REF = 'refs/pull/42/merge';
// GitHub expressions as the workflows write them.
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${{ }} of a workflow.
const MATRIX_ROLE = '${{ matrix.role }}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${{ }} of a workflow.
const ROLE_VARIABLE = '${{ vars.AWS_ROLE_ARN }}';
const MAIN = 'refs/heads/main';

/**
 * The events a job runs on. Its `if` decides: pull requests only, main only, or every trigger; and
 * a job whose `if` reads another job's outputs runs only when that one ran.
 */
function eventsOf(id: string, jobs: Record<string, Job>, triggers: string[]): string[] {
  const condition = jobs[id].if ?? '';
  const pullRequestOnly = /github\.event_name == 'pull_request'/.test(condition);
  const mainOnly = /refs\/heads\/main|github\.event_name != 'pull_request'|github\.event_name == 'push'/.test(
    condition,
  );
  let events = triggers.filter((t) => (pullRequestOnly ? t === 'pull_request' : !mainOnly || t !== 'pull_request'));
  for (const [, need] of condition.matchAll(/needs\.([\w-]+)\.outputs/g)) {
    const theirs = eventsOf(need, jobs, triggers);
    events = events.filter((e) => theirs.includes(e));
  }
  return events;
}

/** Every (job, event) of a repo's workflows that assumes an AWS role, with the role and the `sub` GitHub gives it. */
function assumptions(dir: string, fullName: string, roleOf: (expr: string, job: Job) => string[]): Assumption[] {
  const found: Assumption[] = [];
  const workflows = join(dir, '.github', 'workflows');
  for (const file of readdirSync(workflows).sort()) {
    const workflow = parse(readFileSync(join(workflows, file), 'utf8'));
    const triggers = Object.keys(workflow.on ?? {});
    const all = workflow.jobs as Record<string, Job>;
    for (const [id, job] of Object.entries(all)) {
      const step = job.steps?.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      if (!step) continue;
      const events = eventsOf(id, all, triggers);
      assert.ok(events.length > 0, `${file} ${id} runs on some event`);
      const environment = typeof job.environment === 'object' ? job.environment.name : job.environment;
      for (const event of events) {
        const pr = event === 'pull_request';
        const context = environment ? `environment:${environment}` : pr ? 'pull_request' : `ref:${MAIN}`;
        const sub = githubSub(fullName, context, file, pr ? PR_REF : MAIN);
        for (const role of roleOf(step.with?.['role-to-assume'] ?? '', job)) {
          found.push({ where: `${fullName} ${file} ${id} (${event})`, role, sub });
        }
      }
    }
  }
  return found;
}

for (const set of ['minimal', 'full'] as const) {
  describe(`OIDC trust of the CI roles (${set})`, () => {
    let model: Model;
    let ws: string;
    /** Role ARN -> the subjects its trust policy lists. */
    let trust: Map<string, string[]>;
    let jobs: Assumption[];

    before(() => {
      model = modelFor(set);
      ws = tempDir(`oidc-${set}`);
      for (const kind of ['infra', 'gitops'] as const) writeFiles(join(ws, kind), renderRepo(model, kind).files);
      for (const s of model.services) writeFiles(join(ws, s.name), renderRepo(model, 'app', s.name).files);
      trust = new Map<string, string[]>();
      for (const r of model.terraform.roots) {
        const env = model.environments.find((e) => e.name === r.name);
        trust.set(r.planRole.arn, env ? env.infraPlanSubjects : model.terraform.globalPlanSubjects);
        trust.set(r.applyRole.arn, [env ? env.infraApplySubject : model.terraform.globalApplySubject]);
      }
      for (const s of model.services) trust.set(s.ciRole.arn, [s.ciRoleSubject]);
      trust.set(model.promote.role.arn, [model.promote.roleSubject]);

      const matrix = (expr: string, job: Job) =>
        expr === MATRIX_ROLE ? (job.strategy?.matrix?.include ?? []).map((row) => row.role) : [expr];
      jobs = [
        ...assumptions(join(ws, 'infra'), model.repos.infra.fullName, matrix),
        ...assumptions(join(ws, 'gitops'), model.repos.gitops.fullName, matrix),
        ...model.services.flatMap((s) =>
          // The app's README sets the variable AWS_ROLE_ARN to the service's CI role.
          assumptions(join(ws, s.name), s.repo.fullName, (expr) => [expr === ROLE_VARIABLE ? s.ciRole.arn : expr]),
        ),
      ];
    });

    it('renders exactly these subjects into the trust policies (bootstrap/, global/, services.json)', () => {
      const bootstrap = readFileSync(join(ws, 'infra', 'bootstrap', 'main.tf'), 'utf8');
      for (const r of model.terraform.roots) {
        for (const s of [...(trust.get(r.planRole.arn) ?? []), ...(trust.get(r.applyRole.arn) ?? [])]) {
          assert.ok(bootstrap.includes(JSON.stringify(s)), s);
        }
      }
      const services = JSON.parse(readFileSync(join(ws, 'infra', 'services.json'), 'utf8'));
      assert.deepEqual(
        services.map((s: { ciRoleSubject: string }) => s.ciRoleSubject),
        model.services.map((s) => s.ciRoleSubject),
      );
      assert.ok(
        readFileSync(join(ws, 'infra', 'global', 'main.tf'), 'utf8').includes(
          JSON.stringify(model.promote.roleSubject),
        ),
      );
      const module = readFileSync(join(ws, 'infra', 'terraform', 'iam', 'github-oidc-role', 'main.tf'), 'utf8');
      assert.match(module, /test\s+= "StringLike"\n\s+variable = "token\.actions\.githubusercontent\.com:sub"/);
    });

    it('every job that assumes a role gets a token its role trusts', () => {
      assert.ok(jobs.length >= model.terraform.roots.length * 2, jobs.map((j) => j.where).join('\n'));
      for (const job of jobs) {
        const subjects = trust.get(job.role);
        assert.ok(subjects, `${job.where} assumes ${job.role}, which the infra repo does not create`);
        assert.ok(
          subjects.some((s) => stringLike(s, job.sub)),
          `${job.where}: ${job.sub} is not trusted by ${job.role}`,
        );
      }
    });

    it('no trusted subject goes unused: each is some job of the generated workflows', () => {
      for (const [role, subjects] of trust) {
        for (const s of subjects) {
          assert.ok(
            jobs.some((j) => j.role === role && stringLike(s, j.sub)),
            `${role} trusts ${s}, which no generated job produces`,
          );
        }
      }
    });

    it('refuses other workflows, branches, owners, contexts and spellings', () => {
      const all = [...trust.values()].flat();
      const trusted = (sub: string) => all.some((s) => stringLike(s, sub));
      const owner = model.githubOwner;
      for (const job of jobs) {
        const variants = [
          // Another workflow file on main, in the same environment or context.
          job.sub.replace(/workflows\/[^@]+@/, 'workflows/evil.yaml@'),
          job.sub.replace(/workflows\/([^@]+)@/, 'workflows/sub/$1@'),
          // Another branch (the workflow file as it is there).
          job.sub
            .replace(/@refs\/heads\/main$/, '@refs/heads/feature')
            .replace(':ref:refs/heads/main:', ':ref:refs/heads/feature:'),
          job.sub
            .replace(/@refs\/heads\/main$/, '@refs/heads/Main')
            .replace(':ref:refs/heads/main:', ':ref:refs/heads/Main:'),
          // A repository of the same name under another owner, and GitHub's spelling in another case
          // (refused: configure-github-oidc.sh checks the spelling before anyone relies on it).
          job.sub.replaceAll(`${owner}/`, 'mallory/'),
          job.sub.replaceAll(
            `${owner}/`,
            `${owner.toUpperCase() === owner ? owner.toLowerCase() : owner.toUpperCase()}/`,
          ),
          // A tag, and a pull request's merge ref where main is trusted.
          job.sub.replace(/@refs\/heads\/main$/, '@refs/tags/v1'),
          job.sub.replace(/@refs\/heads\/main$/, `@${PR_REF}`),
        ];
        for (const v of variants) if (v !== job.sub) assert.equal(trusted(v), false, `${job.where}: ${v} is trusted`);
      }
      // A pull request cannot reach an apply role, the promote role or a service's push role.
      const pr = (fullName: string, file: string) => githubSub(fullName, 'pull_request', file, PR_REF);
      const mainOnly = [
        ...model.terraform.roots.map((r) => r.applyRole.arn),
        model.promote.role.arn,
        ...model.services.map((s) => s.ciRole.arn),
      ];
      for (const role of mainOnly) {
        for (const sub of [
          pr(model.repos.infra.fullName, 'terraform.yaml'),
          pr(model.repos.gitops.fullName, 'promote.yaml'),
          ...model.services.map((s) => pr(s.repo.fullName, 'ci.yaml')),
        ]) {
          assert.equal(
            (trust.get(role) ?? []).some((s) => stringLike(s, sub)),
            false,
            `${role} trusts ${sub}`,
          );
        }
      }
      // Production's plan role: pull requests only in its reviewed environment.
      const prod = model.productionEnvironment;
      assert.equal(
        prod.infraPlanSubjects.some((s) => stringLike(s, pr(model.repos.infra.fullName, 'terraform.yaml'))),
        false,
      );
    });

    it("the role module's validation accepts every generated subject and refuses malformed ones", function () {
      const tofu = requireTool(this, 'tofu');
      const work = tempDir('oidc-validation');
      copyFileSync(
        join(ws, 'infra', 'terraform', 'iam', 'github-oidc-role', 'variables.tf'),
        join(work, 'variables.tf'),
      );
      const check = (subjects: string[]) => {
        writeFileSync(
          join(work, 'terraform.tfvars'),
          `name = "r"\ndescription = "r"\noidc_provider_arn = "p"\nsubjects = ${JSON.stringify(subjects)}\n`,
        );
        // tofu console exits 0 whatever it reports: a refused value is an error on stderr.
        const out = run(tofu, ['console'], { cwd: work, input: 'var.subjects\n' });
        assert.equal(out.status, 0, out.stderr);
        return !/Error:/.test(out.stderr);
      };
      for (const subjects of trust.values()) assert.ok(check(subjects), subjects.join('\n'));
      const good = model.terraform.globalApplySubject;
      const infra = model.repos.infra.fullName;
      const bad = [
        good.replace('@refs/heads/main', '@refs/heads/*'),
        good.replace('environment:global', 'environment:*'),
        `repo:${infra}:environment:global`,
        good.replace(`job_workflow_ref:${infra}/`, `job_workflow_ref:${model.repos.gitops.fullName}/`),
        good.replace('.github/workflows/', '.github/'),
      ];
      for (const b of bad) assert.equal(check([b]), false, `accepted ${b}`);
      assert.equal(check([good, model.promote.roleSubject]), false, 'two repositories in one role');
    });
  });
}

describe('scripts/configure-github-oidc.sh, against a stand-in for gh', () => {
  let infra: string;
  let bin: string;
  let model: Model;
  const TEMPLATE = { use_default: false, include_claim_keys: ['repo', 'context', 'job_workflow_ref'] };

  before(function () {
    requireTool(this, 'jq');
    model = modelFor('minimal', [{ name: 'web', port: 8081 }]);
    const ws = tempDir('oidc-script');
    infra = join(ws, 'infra');
    writeFiles(infra, renderRepo(model, 'infra').files);
    bin = join(ws, 'bin');
    mkdirSync(bin);
    // GitHub as the REST API answers: repositories found case-insensitively, named in GitHub's
    // spelling ($GH_REPOS: one full name per line); the claim template kept per repository.
    writeFileSync(
      join(bin, 'gh'),
      `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GH_LOG, args.join(' ') + '\\n');
const method = args.includes('-X') ? args[args.indexOf('-X') + 1] : 'GET';
const url = args.find((a, i) => i > 0 && a.startsWith('repos/'));
const [, owner, name, ...rest] = url.split('/');
const canonical = fs.readFileSync(process.env.GH_REPOS, 'utf8').split('\\n').find((r) => r.toLowerCase() === (owner + '/' + name).toLowerCase());
if (!canonical) { process.stderr.write('gh: Not Found (HTTP 404)\\n'); process.exit(1); }
const state = path.join(process.env.GH_STATE, canonical.replace('/', '__'));
if (rest.length === 0) {
  process.stdout.write(args.includes('--jq') ? canonical + '\\n' : JSON.stringify({ full_name: canonical }) + '\\n');
} else if (rest.join('/') === 'actions/oidc/customization/sub' && method === 'GET') {
  process.stdout.write(fs.existsSync(state) ? fs.readFileSync(state, 'utf8') : '{"use_default":true}\\n');
} else if (rest.join('/') === 'actions/oidc/customization/sub' && method === 'PUT') {
  fs.writeFileSync(state, JSON.stringify(JSON.parse(fs.readFileSync(0, 'utf8'))) + '\\n');
} else { process.stderr.write('unexpected: ' + args.join(' ') + '\\n'); process.exit(1); }
`,
    );
    chmodSync(join(bin, 'gh'), 0o755);
  });

  const repos = () => [
    model.repos.infra.fullName,
    model.repos.gitops.fullName,
    ...model.services.map((s) => s.repo.fullName),
  ];

  function github(existing: string[]) {
    const dir = tempDir('gh-state');
    const files = { log: join(dir, 'calls.log'), repos: join(dir, 'repos'), state: join(dir, 'state') };
    mkdirSync(files.state);
    writeFileSync(files.log, '');
    writeFileSync(files.repos, existing.join('\n'));
    const script = (args: string[] = []) =>
      run(join(infra, 'scripts', 'configure-github-oidc.sh'), args, {
        cwd: infra,
        env: {
          PATH: `${bin}${delimiter}${process.env.PATH}`,
          GH_LOG: files.log,
          GH_REPOS: files.repos,
          GH_STATE: files.state,
        },
      });
    const puts = () =>
      readFileSync(files.log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('-X PUT'));
    const template = (repo: string) => {
      const file = join(files.state, repo.replace('/', '__'));
      return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
    };
    return { script, puts, template };
  }

  it('sets the claim template on the infra, GitOps and every service repository, once', () => {
    const gh = github(repos());
    assert.equal(gh.script(['--check']).status, 1, 'no template yet');
    assert.deepEqual(gh.puts(), []);
    const first = gh.script();
    assert.equal(first.status, 0, first.stderr);
    for (const repo of repos()) assert.deepEqual(gh.template(repo), TEMPLATE, repo);
    assert.equal(gh.puts().length, repos().length);
    const again = gh.script();
    assert.equal(again.status, 0, again.stderr);
    assert.equal(gh.puts().length, repos().length, 'nothing set twice');
    assert.equal(gh.script(['--check']).status, 0);
  });

  it('refuses, changing nothing, when GitHub spells the owner otherwise or a repository is missing', () => {
    const other = model.githubOwner.toUpperCase();
    const spelled = github(repos().map((r) => r.replace(`${model.githubOwner}/`, `${other}/`)));
    const out = spelled.script();
    assert.equal(out.status, 1);
    assert.match(out.stderr, new RegExp(`GitHub spells ${model.repos.infra.fullName} as ${other}/`));
    assert.match(out.stderr, new RegExp(`gitops-platform upgrade --github-owner ${other}`));
    assert.deepEqual(spelled.puts(), []);

    const missing = github(repos().filter((r) => !r.endsWith('/web')));
    const refused = missing.script();
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /HTTP 404/);
    assert.deepEqual(missing.puts(), [], 'no repository changed before the missing one was found');
  });

  it('refuses other arguments with its usage', () => {
    const gh = github(repos());
    for (const args of [['--force'], ['--check', 'extra']]) {
      const out = gh.script(args);
      assert.equal(out.status, 2, args.join(' '));
      assert.match(out.stderr, /usage: scripts\/configure-github-oidc\.sh \[--check\]/);
    }
  });
});

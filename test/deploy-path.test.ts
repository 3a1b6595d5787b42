/**
 * The deploy path's rules, as GitHub would apply them to the generated repos: the ruleset of the
 * GitOps repo's main (no bypass actor, code-owner review, the checks its workflows really report),
 * CODEOWNERS evaluated the way GitHub does for every file the generator writes (only the first
 * environment's values merge without review), and the GitHub App's key held only by jobs that run
 * in an environment (deployments from main only), in every repo that holds it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { answerSets, modelFor } from './support/workspace.ts';

/** GitHub Actions' app id: a required check must come from it, not from any status a token can set. */
const GITHUB_ACTIONS_APP_ID = 15368;

interface Job {
  name?: string;
  if?: string;
  environment?: string;
  steps: { with?: Record<string, unknown> }[];
}

/**
 * CODEOWNERS as GitHub reads it: gitignore-style patterns, the last matching line wins, and a
 * line without owners leaves the file without one. Only the pattern forms the template uses.
 */
function codeOwners(text: string): (path: string) => string[] {
  const rules = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const [pattern, ...owners] = line.split(/\s+/);
      assert.match(pattern, /^(\*|\/[\w./*-]+)$/, `a pattern form this reader knows: ${pattern}`);
      const anchored = pattern.startsWith('/');
      let body = pattern
        .replace(/^\//, '')
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*');
      // "dir/" is everything under dir; a name without a trailing slash is that file or folder.
      body = body.endsWith('/') ? `${body}.*` : `${body}(/.*)?`;
      return { regex: new RegExp(`^${anchored ? '' : '(.*/)?'}${body}$`), owners };
    });
  return (path) => {
    let owners: string[] = [];
    for (const rule of rules) if (rule.regex.test(path)) owners = rule.owners;
    return owners;
  };
}

for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
  describe(`deploy path: no bypass, and review where it matters (${set})`, () => {
    const model = modelFor(set);
    const gitops = renderRepo(model, 'gitops');
    const app = renderRepo(model, 'app', model.services[0].name);
    const first = model.firstEnvironment;
    const platformTeam = `@${model.githubOwner}/platform`;
    const text = (files: typeof gitops.files, path: string) => {
      const file = files.find((f) => f.path === path);
      assert.ok(file, `${path} is generated`);
      return file.content;
    };

    it('main of the GitOps repo: pull requests only, code-owner review, the real checks, no bypass actor', () => {
      const ruleset = JSON.parse(text(gitops.files, '.github/rulesets/main.json'));
      assert.deepEqual(ruleset.bypass_actors, []);
      assert.equal(ruleset.enforcement, 'active');
      assert.deepEqual(ruleset.conditions.ref_name.include, ['~DEFAULT_BRANCH']);
      const rules = Object.fromEntries(ruleset.rules.map((r: { type: string }) => [r.type, r]));
      assert.ok(rules.deletion && rules.non_fast_forward, 'no deletion, no force push');
      const review = rules.pull_request.parameters;
      assert.equal(review.require_code_owner_review, true);
      assert.equal(review.required_approving_review_count, 0, 'only code owners decide who reviews');
      assert.equal(review.dismiss_stale_reviews_on_push, true);
      assert.deepEqual(review.allowed_merge_methods, ['squash'], 'one commit per change: one to revert');
      // The required checks are the jobs validate.yaml runs on every pull request (and not the
      // rendered diff, which only reports), reported by GitHub Actions; not strict, so deploys of
      // different services merge side by side.
      const checks = rules.required_status_checks.parameters;
      assert.equal(checks.strict_required_status_checks_policy, false);
      const workflow = parse(text(gitops.files, '.github/workflows/validate.yaml'));
      const everyPr = Object.values(workflow.jobs as Record<string, Job>)
        .filter((job) => job.if === undefined)
        .map((job) => job.name);
      assert.deepEqual(
        checks.required_status_checks,
        everyPr.map((context) => ({ context, integration_id: GITHUB_ACTIONS_APP_ID })),
      );
      assert.ok(workflow.on.pull_request !== undefined, 'the checks run on pull requests');
    });

    it(`CODEOWNERS: only ${first.valuesDir}/*.yaml merges without review; every other generated file needs the platform team`, () => {
      const owners = codeOwners(text(gitops.files, '.github/CODEOWNERS'));
      const unowned = gitops.files.map((f) => f.path).filter((path) => owners(path).length === 0);
      assert.deepEqual(
        unowned.sort(),
        model.services.map((s) => `${first.valuesDir}/${s.name}.yaml`).sort(),
        'the deploy pull requests touch exactly these',
      );
      for (const file of gitops.files) {
        if (unowned.includes(file.path)) continue;
        assert.deepEqual(owners(file.path), [platformTeam], file.path);
      }
      // And what a pull request could add: a new service's values merge unreviewed only in the first
      // environment; a file anywhere else (a new Application, a script) needs the platform team.
      assert.deepEqual(owners(`${first.valuesDir}/new-service.yaml`), []);
      for (const path of [
        `${first.valuesDir}/nested/x.yaml`,
        `${model.productionEnvironment.valuesDir}/new-service.yaml`,
        `argocd/${first.name}/apps/new-service.yaml`,
        `argocd/${first.name}/extra.yaml`,
        'charts/new-service/values.yaml',
        '.github/workflows/new.yaml',
        'scripts/new.sh',
        'new-file.yaml',
      ]) {
        assert.deepEqual(owners(path), [platformTeam], path);
      }
    });

    it("the GitHub App's key is read only by jobs in an environment, in every repo that holds it", () => {
      const workflows = [
        ...gitops.files.filter((f) => f.path.startsWith('.github/workflows/')).map((f) => ({ repo: 'gitops', f })),
        ...app.files.filter((f) => f.path.startsWith('.github/workflows/')).map((f) => ({ repo: 'app', f })),
      ];
      let holders = 0;
      for (const { repo, f } of workflows) {
        const jobs = parse(f.content).jobs as Record<string, Job>;
        for (const [id, job] of Object.entries(jobs)) {
          if (!JSON.stringify(job).includes('secrets.GITOPS_APP_PRIVATE_KEY')) continue;
          holders += 1;
          const expected = repo === 'app' ? first.name : 'promote';
          assert.equal(job.environment, expected, `${repo} ${f.path} job ${id}: runs in the environment ${expected}`);
        }
        assert.doesNotMatch(f.content, /secrets\.GITOPS_APP_PRIVATE_KEY[^}]*\|\|/, 'no fallback to another secret');
      }
      assert.equal(holders, model.environments.length > 1 ? 2 : 1, 'the deploy job and the promote job');
      const readmes = [text(gitops.files, 'README.md'), text(app.files, 'README.md')].join('\n');
      assert.doesNotMatch(readmes, /add the (GitHub )?App to the bypass list/i);
      assert.match(text(gitops.files, 'README.md'), /\*\*no\s+bypass actors\*\*/);
      assert.match(text(gitops.files, 'README.md'), /Deployment branches\*: `main` only/);
    });

    it('the ruleset and CODEOWNERS are written as the files GitHub reads', () => {
      const dir = tempDir(`deploy-path-${set}`);
      writeFiles(dir, gitops.files);
      assert.doesNotThrow(() => JSON.parse(readFileSync(join(dir, '.github/rulesets/main.json'), 'utf8')));
      assert.ok(readFileSync(join(dir, '.github/CODEOWNERS'), 'utf8').endsWith('\n'));
    });
  });
}

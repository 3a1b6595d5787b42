/**
 * `service remove <name>`, through the bin (and once through Yeoman): one step per run, each a branch
 * with one commit in the infra and GitOps repos; the GitOps AppProjects keep the namespace until the
 * step after the Applications went (Argo CD deletes only what the project permits); the ECR
 * repository kept, or deleted one applied step after --purge-images; every refusal writes nothing;
 * hand edits kept; what Terraform makes of services.json, evaluated by tofu.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import { PACKAGE_NAME, YO_RC } from '../generators/lib/repos/state.ts';
import AddServiceGenerator from '../generators/service/index.ts';
import RemoveServiceGenerator from '../generators/service-remove/index.ts';
import { commitAll, git, mergeBranch } from './support/git.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, run } from './support/tools.ts';
import { madeWorkspace, readTree, rejection, runBin, workspaceState } from './support/workspace.ts';

const REPOS = ['acme-infra', 'acme-gitops'];

const gitops = (ws: string, ...args: string[]) => runBin(ws, args);

/** Merges the infra and GitOps repos' branch into main, as their pull requests would. */
const mergeAll = (ws: string, branch: string) => mergeBranch(ws, REPOS, branch);

/** Runs a step and merges it; returns its stdout. */
function step(ws: string, branch: string, ...args: string[]): string {
  const r = gitops(ws, 'service', 'remove', ...args);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  for (const repo of REPOS) {
    assert.equal(git(join(ws, repo), 'symbolic-ref', '--short', 'HEAD'), branch);
    assert.equal(git(join(ws, repo), 'rev-list', '--count', `main..${branch}`), '1');
  }
  mergeAll(ws, branch);
  return r.stdout;
}

function recordedServices(ws: string, repo = 'acme-gitops') {
  return JSON.parse(readFileSync(join(ws, repo, YO_RC), 'utf8'))[PACKAGE_NAME].services;
}

function read(ws: string, path: string): string {
  return readFileSync(join(ws, path), 'utf8');
}

function servicesJson(ws: string): Record<string, unknown>[] {
  return JSON.parse(read(ws, 'acme-infra/services.json'));
}

/** The repos' files, without .git. */
function files(ws: string, repos = REPOS): Map<string, string> {
  const all = new Map<string, string>();
  for (const repo of repos) {
    for (const [path, content] of readTree(join(ws, repo))) all.set(`${repo}/${path}`, content.toString('utf8'));
  }
  return all;
}

/** A workspace with api and web, web's pull requests merged; also its files before web was added. */
function twoServices(prefix: string): { ws: string; withoutWeb: Map<string, string> } {
  const ws = madeWorkspace(prefix);
  const withoutWeb = files(ws);
  const added = gitops(join(ws, 'acme-gitops'), 'service', 'web', '--skip-install');
  assert.equal(added.status, 0, added.stderr);
  mergeAll(ws, 'add-service-web');
  // Merged pull requests' branches are deleted.
  for (const repo of REPOS) git(join(ws, repo), 'branch', '-q', '-d', 'add-service-web');
  return { ws, withoutWeb };
}

describe('service remove <name>', function () {
  this.timeout(180_000);

  it('step 1: Applications, chart, values, CI and Pod Identity roles go; the AppProjects keep the namespace; ECR stays', () => {
    const { ws } = twoServices('svc-remove');
    const out = step(ws, 'remove-service-web', 'web', '--allow-destroy');
    const after = files(ws);
    for (const path of after.keys()) {
      assert.doesNotMatch(
        path,
        /acme-gitops\/(charts\/web\/|environments\/[^/]+\/web\.yaml|argocd\/[^/]+\/apps\/web\.yaml)/,
      );
    }
    for (const env of ['dev', 'prod']) {
      const project = read(ws, `acme-gitops/argocd/${env}/projects/services.yaml`);
      assert.match(project, /namespace: "web"/, 'the project still allows web until Argo CD has deleted it');
      assert.doesNotMatch(read(ws, `acme-gitops/argocd/${env}/platform/cluster-secret-store.yaml`), /"web"/);
      assert.ok(existsSync(join(ws, 'acme-gitops', 'argocd', env, 'apps', 'api.yaml')));
    }
    assert.deepEqual(
      servicesJson(ws).find((s) => s.name === 'web'),
      { name: 'web', retired: true, ecrRepository: 'acme/web', forceDeleteImages: false },
    );
    assert.deepEqual(recordedServices(ws), [
      { name: 'api', port: 8080 },
      { name: 'web', port: 8080, retired: 'pending' },
    ]);
    assert.deepEqual(recordedServices(ws, 'acme-infra'), recordedServices(ws));
    assert.equal(git(join(ws, 'acme-gitops'), 'log', '-1', '--format=%s'), 'feat!: remove service web');
    // The app repo is left alone.
    assert.equal(git(join(ws, 'web'), 'rev-list', '--count', 'HEAD'), '1');
    // Steps: GitOps merge, wait and delete the namespace, infra merge, secrets, archive, run again.
    const steps = out.slice(out.indexOf('Next steps'));
    const order = [
      'Merge acme-gitops',
      'kubectl delete namespace web',
      'Merge acme-infra',
      'Secrets Manager',
      'Archive acme/web',
      'service remove web` again',
    ];
    const at = order.map((s) => steps.indexOf(s));
    assert.ok(
      at.every((i) => i > 0),
      `every step is printed:\n${steps}`,
    );
    assert.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
      `in this order:\n${steps}`,
    );
  });

  it('without --purge-images: finish drops the namespace from the AppProjects, the repository stays, a third run refuses', () => {
    const { ws } = twoServices('svc-remove-keep');
    step(ws, 'remove-service-web', 'web', '--allow-destroy');
    const out = step(ws, 'finish-remove-service-web', 'web');
    for (const env of ['dev', 'prod']) {
      assert.doesNotMatch(read(ws, `acme-gitops/argocd/${env}/projects/services.yaml`), /"web"/);
    }
    assert.match(out, /acme\/web stays with its images/);
    assert.equal(recordedServices(ws)[1].retired, 'kept');
    assert.deepEqual(servicesJson(ws).find((s) => s.name === 'web')?.forceDeleteImages, false);
    const before = workspaceState(ws);
    const again = gitops(ws, 'service', 'remove', 'web');
    assert.equal(again.status, 1);
    assert.match(
      again.stderr,
      /web is removed; its ECR repository is kept with its images\. `--purge-images` deletes it/,
    );
    assert.deepEqual(workspaceState(ws), before);
  });

  it('kept, then --purge-images: Terraform may delete it first, the next step deletes it; the repos are as if web never was', () => {
    const { ws, withoutWeb } = twoServices('svc-remove-purge-later');
    step(ws, 'remove-service-web', 'web', '--allow-destroy');
    step(ws, 'finish-remove-service-web', 'web');
    const purge = gitops(ws, 'service', 'remove', 'web', '--purge-images');
    assert.equal(purge.status, 1, 'deleting images needs consent');
    assert.match(purge.stderr, /--allow-destroy/);
    step(ws, 'purge-images-web', 'web', '--purge-images', '--allow-destroy');
    assert.equal(servicesJson(ws).find((s) => s.name === 'web')?.forceDeleteImages, true);
    step(ws, 'delete-images-web', 'web', '--allow-destroy');
    assert.equal(
      servicesJson(ws).some((s) => s.name === 'web'),
      false,
    );
    // Every file is what it was before web was added, but the record of the purged service.
    const now = files(ws);
    assert.deepEqual([...now.keys()], [...withoutWeb.keys()]);
    for (const [path, content] of now) {
      if (path.endsWith(YO_RC)) continue;
      assert.equal(content, withoutWeb.get(path), path);
    }
    assert.deepEqual(recordedServices(ws)[1], { name: 'web', port: 8080, retired: 'purged', purgeImages: true });
    const done = gitops(ws, 'service', 'remove', 'web');
    assert.equal(done.status, 1);
    assert.match(done.stderr, /nothing is left to remove/);
    // The name is free again (its old app repo stays where it is, so the new one goes elsewhere).
    const readd = gitops(join(ws, 'acme-gitops'), 'service', 'web', '--skip-install', '--output', join(ws, 'again'));
    assert.equal(readd.status, 0, readd.stderr);
    assert.deepEqual(
      recordedServices(ws).map((s: { name: string }) => s.name),
      ['api', 'web'],
    );
    assert.equal(recordedServices(ws)[1].retired, undefined);
  });

  it('--purge-images from the start: force delete with step 1, the repository goes with finish', () => {
    const { ws } = twoServices('svc-remove-purge');
    step(ws, 'remove-service-web', 'web', '--purge-images', '--allow-destroy');
    assert.equal(servicesJson(ws).find((s) => s.name === 'web')?.forceDeleteImages, true);
    const refused = gitops(ws, 'service', 'remove', 'web');
    assert.equal(refused.status, 1, 'the step that deletes the images needs consent too');
    const out = step(ws, 'finish-remove-service-web', 'web', '--allow-destroy');
    assert.match(out, /deletes the ECR repository acme\/web and every image in it/);
    assert.equal(
      servicesJson(ws).some((s) => s.name === 'web'),
      false,
    );
    assert.equal(recordedServices(ws)[1].retired, 'purged');
  });

  it("a kept name cannot be added again; env add leaves the removed service's app repo alone", () => {
    const { ws } = twoServices('svc-remove-env');
    step(ws, 'remove-service-web', 'web', '--allow-destroy');
    const before = workspaceState(ws);
    const again = gitops(join(ws, 'acme-gitops'), 'service', 'web', '--skip-install', '--output', join(ws, 'x'));
    assert.equal(again.status, 1);
    assert.match(again.stderr, /was removed, and its ECR repository is kept under that name/);
    assert.deepEqual(workspaceState(ws), before);
    const added = gitops(ws, 'env', 'add', 'staging');
    assert.equal(added.status, 0, added.stderr);
    assert.equal(git(join(ws, 'web'), 'branch', '--list', 'add-env-staging'), '');
    assert.equal(existsSync(join(ws, 'acme-gitops', 'environments', 'staging', 'web.yaml')), false);
    assert.ok(existsSync(join(ws, 'acme-gitops', 'environments', 'staging', 'api.yaml')));
  });

  it('hand edits are kept; removed files with edits are listed', () => {
    const { ws } = twoServices('svc-remove-edits');
    const values = join(ws, 'acme-gitops', 'environments', 'dev', 'api.yaml');
    writeFileSync(values, `${readFileSync(values, 'utf8')}# tuned by the api team\n`);
    const chart = join(ws, 'acme-gitops', 'charts', 'web', 'values.yaml');
    writeFileSync(chart, `${readFileSync(chart, 'utf8')}# web team note\n`);
    const readme = join(ws, 'acme-infra', 'README.md');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\nOur own runbook line.\n`);
    commitAll(join(ws, 'acme-gitops'), 'team edits');
    commitAll(join(ws, 'acme-infra'), 'team edits');
    const out = step(ws, 'remove-service-web', 'web', '--allow-destroy');
    assert.match(readFileSync(values, 'utf8'), /# tuned by the api team\n$/);
    assert.match(readFileSync(readme, 'utf8'), /Our own runbook line\.\n$/);
    assert.match(
      out,
      /Removed with edits of yours \(git history keeps them\):\n {2}acme-gitops\/charts\/web\/values\.yaml/,
    );
  });

  describe('refusals write nothing', () => {
    let ws = '';
    before(() => {
      ws = twoServices('svc-remove-refusals').ws;
    });
    const cases: { what: string; args: string[]; setup?: (ws: string) => void; message: RegExp }[] = [
      {
        what: 'an unknown service',
        args: ['nope', '--allow-destroy'],
        message: /nope is not a service of this platform \(api, web\)/,
      },
      {
        what: 'no consent',
        args: ['web'],
        message: /deletes its workloads in every environment and its roles: say so with --allow-destroy/,
      },
      { what: 'no name', args: [], message: /Usage: gitops-platform service remove <name>/ },
      { what: 'an unknown flag', args: ['web', '--purge'], message: /--purge/ },
      {
        what: 'a dirty repo',
        args: ['web', '--allow-destroy'],
        setup: (w) => writeFileSync(join(w, 'acme-infra', 'scratch.txt'), 'x'),
        message: /acme-infra has uncommitted changes/,
      },
      {
        what: 'an existing branch',
        args: ['web', '--allow-destroy'],
        setup: (w) => git(join(w, 'acme-gitops'), 'branch', 'remove-service-web'),
        message: /acme-gitops already has a branch remove-service-web/,
      },
    ];
    for (const c of cases) {
      it(c.what, () => {
        const dir = tempDir('svc-remove-refusal');
        const copy = join(dir, 'ws');
        assert.equal(spawnSync('cp', ['-a', ws, copy]).status, 0);
        c.setup?.(copy);
        const before = workspaceState(copy);
        const r = gitops(copy, 'service', 'remove', ...c.args);
        assert.equal(r.status, 1, r.stdout);
        assert.match(r.stderr, c.message);
        assert.deepEqual(workspaceState(copy), before);
      });
    }

    it('the only service', () => {
      const single = madeWorkspace('svc-remove-only');
      const before = workspaceState(single);
      const r = gitops(single, 'service', 'remove', 'api', '--allow-destroy');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /api is the platform's only service/);
      assert.deepEqual(workspaceState(single), before);
    });

    it('`remove` as the name of a new service, and `service remove` without a name', async () => {
      const before = workspaceState(ws);
      const error = await rejection(
        helpers
          .run(AddServiceGenerator, { namespace: 'gitops-platform:service' })
          .cd(join(ws, 'acme-gitops'))
          .withArguments(['remove'])
          .withOptions({ skipInstall: true } as never),
      );
      assert.match(
        error.message,
        /`remove` cannot name a service: `gitops-platform service remove <name>` is the command/,
      );
      const usage = gitops(ws, 'service', 'remove');
      assert.equal(usage.status, 1);
      assert.match(usage.stderr, /Usage: gitops-platform service remove <name>/);
      assert.deepEqual(workspaceState(ws), before);
    });
  });

  it('through Yeoman (yo gitops-platform:service-remove web --allow-destroy --dry-run)', async () => {
    const { ws } = twoServices('svc-remove-yo');
    const before = workspaceState(ws);
    const result = await helpers
      .run(RemoveServiceGenerator, { namespace: 'gitops-platform:service-remove' })
      .cd(ws)
      .withArguments(['web'])
      .withOptions({ dryRun: true, json: true } as never);
    assert.ok(result);
    assert.deepEqual(workspaceState(ws), before);
  });
});

describe('@tools what Terraform makes of services.json with removed services', () => {
  /** A root's locals block, evaluated by tofu against a services.json. */
  function locals(ctx: Mocha.Context, ws: string, root: string, expression: string): unknown {
    const tofu = requireTool(ctx, 'tofu');
    const main = read(ws, `acme-infra/${root}/main.tf`);
    const block = /^locals \{\n[\s\S]*?\n\}\n/m.exec(main)?.[0];
    assert.ok(block, `${root}/main.tf has a locals block`);
    const work = tempDir('svc-remove-tofu');
    const dir = join(work, ...root.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(work, 'services.json'), read(ws, 'acme-infra/services.json'));
    writeFileSync(join(dir, 'locals.tf'), block as string);
    const out = run(tofu, ['console'], { cwd: dir, input: `jsonencode(${expression})\n` });
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(JSON.parse(out.stdout.trim()));
  }

  it("global/ keeps the removed service's repository (force delete as recorded) and drops its CI role; environments drop its role", function () {
    const { ws } = twoServices('svc-remove-tf');
    step(ws, 'remove-service-web', 'web', '--purge-images', '--allow-destroy');
    assert.deepEqual(
      locals(
        this,
        ws,
        'global',
        '{ ecr = { for k, s in local.all_services : k => try(s.forceDeleteImages, false) }, ci = keys(local.services) }',
      ),
      { ecr: { api: false, web: true }, ci: ['api'] },
    );
    assert.deepEqual(locals(this, ws, 'environments/dev', 'keys(local.services)'), ['api']);
    // global/ passes the entry's force delete to terraform/ecr, which hands it to the module.
    assert.match(
      read(ws, 'acme-infra/global/main.tf'),
      /for_each = local\.all_services\n\n {2}name {13}= each\.value\.ecrRepository\n {2}force_delete {5}= try\(each\.value\.forceDeleteImages, false\)/,
    );
    assert.match(read(ws, 'acme-infra/terraform/ecr/main.tf'), /repository_force_delete {9}= var\.force_delete/);
    // The CI-role and promote grants name the services in service only.
    assert.match(
      read(ws, 'acme-infra/global/main.tf'),
      /resources = \[for name in sort\(keys\(local\.services\)\) : module\.ecr\[name\]\.arn\]/,
    );
    step(ws, 'finish-remove-service-web', 'web', '--allow-destroy');
    assert.deepEqual(locals(this, ws, 'global', 'keys(local.all_services)'), ['api']);
  });
});

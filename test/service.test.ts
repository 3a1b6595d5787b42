import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import { completeAnswers } from '../generators/lib/answers/validate.ts';
import { buildModel } from '../generators/lib/model.ts';
import { renderWorkspace } from '../generators/lib/render/render.ts';
import { createRepos } from '../generators/lib/repos/create.ts';
import { freshStateFiles, MANIFEST, PACKAGE_NAME, YO_RC } from '../generators/lib/repos/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import AddServiceGenerator from '../generators/service/index.ts';
import type { ServicePlan } from '../generators/service/plan.ts';
import { type Landing, serviceReport, serviceText } from '../generators/service/report.ts';
import { tempDir } from './support/temp.ts';
import { rejection, workspaceState } from './support/workspace.ts';

/** A workspace as `new --defaults --skip-install` writes it (three repos, one commit each). */
async function workspace(answers: Record<string, unknown> = {}): Promise<string> {
  const dir = tempDir('svc');
  const { platform, service } = completeAnswers(answers, true);
  const model = buildModel(platform, [service], generatorId);
  await createRepos(
    dir,
    renderWorkspace(model).map((r) => ({
      name: r.repo.name,
      files: [...r.files, ...freshStateFiles(r, platform, [service], generatorId.version)],
      commitMessage: 'initial',
    })),
    { git: true },
  );
  return dir;
}

const git = (dir: string, ...args: string[]) =>
  spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 10_000 }).stdout.trim();

function commitAll(dir: string, message: string) {
  for (const args of [
    ['add', '-A'],
    ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message],
  ]) {
    assert.equal(spawnSync('git', args, { cwd: dir, timeout: 10_000 }).status, 0);
  }
}

const addService = (ws: string, name: string, options: Record<string, unknown> = {}) =>
  helpers
    .run(AddServiceGenerator, { namespace: 'gitops-platform:service' })
    .cd(ws)
    .withArguments([name])
    .withOptions({ skipInstall: true, ...options } as never);

const refused = (context: ReturnType<typeof addService>) => rejection(context, 'the service command');

describe('service <name>', () => {
  it('creates the app repo, and one commit on add-service-<name> in infra and GitOps', async () => {
    const ws = await workspace();
    await addService(ws, 'web', { port: '8081' });
    assert.deepEqual(readdirSync(ws).sort(), ['acme-gitops', 'acme-infra', 'api', 'web']);
    assert.equal(git(join(ws, 'web'), 'rev-list', '--count', 'HEAD'), '1');
    const webState = JSON.parse(readFileSync(join(ws, 'web', YO_RC), 'utf8'))[PACKAGE_NAME];
    assert.deepEqual(webState.services, [{ name: 'web', port: 8081 }]);
    for (const repo of ['acme-infra', 'acme-gitops']) {
      const dir = join(ws, repo);
      assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'add-service-web');
      assert.equal(git(dir, 'rev-list', '--count', 'main..add-service-web'), '1');
      assert.equal(git(dir, 'log', '-1', '--format=%s'), 'feat: add service web');
      assert.equal(git(dir, 'status', '--porcelain'), '');
      const state = JSON.parse(readFileSync(join(dir, YO_RC), 'utf8'))[PACKAGE_NAME];
      assert.deepEqual(state.services, [
        { name: 'api', port: 8080 },
        { name: 'web', port: 8081 },
      ]);
    }
    // The manifest, updated incrementally, equals the one a complete render of both services gives.
    const { platform } = completeAnswers({}, true);
    const services = [
      { name: 'api', port: 8080 },
      { name: 'web', port: 8081 },
    ];
    const model = buildModel(platform, services, generatorId);
    for (const rendered of renderWorkspace(model).filter((r) => r.repo.kind !== 'app')) {
      const expected = freshStateFiles(rendered, platform, services, generatorId.version).find(
        (f) => f.path === MANIFEST,
      );
      assert.equal(readFileSync(join(ws, rendered.repo.name, MANIFEST), 'utf8'), expected?.content, rendered.repo.name);
    }
    const gitops = join(ws, 'acme-gitops');
    for (const path of ['charts/web/Chart.yaml', 'environments/dev/web.yaml', 'environments/prod/web.yaml']) {
      assert.ok(existsSync(join(gitops, path)), path);
    }
    for (const env of ['dev', 'prod']) assert.ok(existsSync(join(gitops, 'argocd', env, 'apps', 'web.yaml')));
    // The infra change is a data edit: no .tf file changes.
    const infraChanged = git(join(ws, 'acme-infra'), 'diff', '--name-only', 'main', 'add-service-web').split('\n');
    assert.ok(
      infraChanged.every((p) => !p.endsWith('.tf')),
      infraChanged.join(', '),
    );
  });

  it('--current-branch commits on the current branch; --no-commit leaves the changes staged', async () => {
    const ws = await workspace();
    await addService(ws, 'web', { currentBranch: true });
    assert.equal(git(join(ws, 'acme-gitops'), 'symbolic-ref', '--short', 'HEAD'), 'main');
    assert.equal(git(join(ws, 'acme-gitops'), 'log', '-1', '--format=%s'), 'feat: add service web');
    await addService(ws, 'worker', { commit: false });
    const gitops = join(ws, 'acme-gitops');
    assert.equal(git(gitops, 'symbolic-ref', '--short', 'HEAD'), 'add-service-worker');
    assert.equal(git(gitops, 'log', '-1', '--format=%s'), 'feat: add service web');
    assert.match(git(gitops, 'status', '--porcelain'), /^A {2}charts\/worker\/Chart\.yaml$/m);
    assert.ok(existsSync(join(ws, 'worker', '.git')));
  });

  it('starts its branch from the default branch, whatever is checked out: a second add does not stack on the first', async () => {
    const ws = await workspace();
    await addService(ws, 'web');
    // Both repos are now on add-service-web; the next add must not build on it.
    await addService(ws, 'worker');
    for (const repo of ['acme-infra', 'acme-gitops']) {
      const dir = join(ws, repo);
      assert.equal(git(dir, 'symbolic-ref', '--short', 'HEAD'), 'add-service-worker');
      assert.equal(git(dir, 'rev-parse', 'add-service-worker~1'), git(dir, 'rev-parse', 'main'), repo);
      const state = JSON.parse(readFileSync(join(dir, YO_RC), 'utf8'))[PACKAGE_NAME];
      assert.deepEqual(
        state.services.map((s: { name: string }) => s.name),
        ['api', 'worker'],
        `${repo} lists the services of main plus worker, not web`,
      );
      assert.equal(git(dir, 'status', '--porcelain'), '');
    }
    assert.equal(existsSync(join(ws, 'acme-gitops', 'charts', 'web')), false, 'web is on its own branch only');
  });

  it('says what to do next as the flags left it: a pull request, a commit to make, or the branch it is on', () => {
    const plan = {
      service: { name: 'web', port: 8081 },
      model: { githubOwner: 'acme', oidc: { configureScript: 'scripts/configure-github-oidc.sh' } },
      summary: [
        {
          repo: 'acme-infra',
          files: [{ path: 'services.json', action: 'change', before: '[]\n', after: '["web"]\n' }],
        },
        { repo: 'acme-gitops', files: [{ path: 'charts/web/Chart.yaml', action: 'add', after: 'name: web\n' }] },
      ],
    } as unknown as ServicePlan;
    const app = { name: 'web', files: [], commitMessage: '' };
    const text = (where: Landing, committed: boolean) =>
      serviceText(
        serviceReport({
          plan,
          app,
          where: [where, where],
          dryRun: false,
          committed,
          skipInstall: false,
          diff: false,
        }),
      ).join('\n');
    const branch = { branch: 'add-service-web', from: 'main', created: true };
    assert.match(
      text(branch, true),
      /1\. Push acme-infra \(branch add-service-web\) and open its pull request into main; merge it first: applying/,
    );
    assert.doesNotMatch(text(branch, true), /git diff --cached/);
    const staged = text(branch, false);
    assert.match(
      staged,
      /1\. Review the staged changes in acme-infra and acme-gitops \(`git diff --cached`\) and commit/,
    );
    assert.match(
      staged,
      /acme-gitops\/ {2}1 files added, 0 changed on new branch add-service-web from main, staged, not committed/,
    );
    const current = text({ branch: 'main', from: 'main', created: false }, true);
    assert.match(current, /1\. Push acme-infra \(main\) first: applying/);
    assert.match(current, /2\. Push acme-gitops \(main\) after the infra apply, so Argo CD/);
    assert.doesNotMatch(current, /pull request into/);
  });

  const refusals: [string, (ws: string) => void, string, Record<string, unknown>?][] = [
    ['an existing service', () => {}, 'service: "api" already exists'],
    ['a reserved name', () => {}, 'service: "argocd" is reserved'],
    ['a name that breaks the naming rule', () => {}, 'service: "Web_1" must be a DNS-1123 label'],
    ['a bad port', () => {}, 'port: "80" must be an integer from 1024 to 65535', { port: '80' }],
    [
      'a dirty GitOps repo',
      (ws) => writeFileSync(join(ws, 'acme-gitops', 'notes.txt'), 'wip\n'),
      'acme-gitops has uncommitted changes',
    ],
    [
      'a dirty infra repo',
      (ws) => writeFileSync(join(ws, 'acme-infra', 'README.md'), 'changed\n'),
      'acme-infra has uncommitted changes',
    ],
    ['an existing folder for the app repo', (ws) => mkdirSync(join(ws, 'web')), 'web already exists'],
    [
      'team edits on the very lines the service adds (a merge conflict)',
      (ws) => {
        // The team gave its own namespace access to the store, right where web's line goes.
        const file = join(ws, 'acme-gitops', 'argocd', 'dev', 'platform', 'cluster-secret-store.yaml');
        writeFileSync(
          file,
          readFileSync(file, 'utf8').replace('        - "api"\n', '        - "api"\n        - "batch"\n'),
        );
        commitAll(join(ws, 'acme-gitops'), 'batch reads secrets too');
      },
      'without overwriting your work; nothing was written:\n  - argocd/dev/platform/cluster-secret-store.yaml (your edits overlap the lines the service adds)',
    ],
    [
      'repos written by another generator version',
      (ws) => {
        for (const repo of ['acme-infra', 'acme-gitops']) {
          const file = join(ws, repo, YO_RC);
          writeFileSync(
            file,
            readFileSync(file, 'utf8').replace(`"version": "${generatorId.version}"`, '"version": "0.0.1"'),
          );
          commitAll(join(ws, repo), 'older');
        }
      },
      'run `gitops-platform upgrade` first',
    ],
  ];
  const names: Record<string, string> = {
    'an existing service': 'api',
    'a reserved name': 'argocd',
    'a name that breaks the naming rule': 'Web_1',
  };
  for (const [what, arrange, message, options] of refusals) {
    it(`refuses ${what} and changes nothing`, async () => {
      const ws = await workspace();
      arrange(ws);
      const before = workspaceState(ws);
      const error = await refused(addService(ws, names[what] ?? 'web', options));
      assert.ok(error.message.includes(message), error.message);
      assert.deepEqual(workspaceState(ws), before);
    });
  }

  it('refuses a name that makes an ingress host longer than 253 characters, and takes one at 253', async () => {
    // 200 characters (the most a domain may have), a 12-character environment: 39 characters of
    // service name make <service>.<env>.<domain> 253 long, 40 make it 254.
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.dddd.com`;
    assert.equal(domain.length, 200);
    const ws = await workspace({ domain, environments: ['dev', 'production-1'] });
    const before = workspaceState(ws);
    const long = `w${'x'.repeat(39)}`;
    const error = await refused(addService(ws, long));
    assert.ok(
      error.message.includes(
        `service: "${long}" makes its ingress hosts (<service>.<env>.${domain}) longer than 253 characters`,
      ),
      error.message,
    );
    assert.deepEqual(workspaceState(ws), before);
    await addService(ws, long.slice(0, 39), { currentBranch: true });
    assert.ok(existsSync(join(ws, long.slice(0, 39), '.git')));
  });

  it('refuses a repo on a detached HEAD, and repos that record different answers', async () => {
    let ws = await workspace();
    git(join(ws, 'acme-gitops'), 'checkout', '-q', '--detach');
    let before = workspaceState(ws);
    let error = await refused(addService(ws, 'web'));
    assert.match(error.message, /acme-gitops is on a detached HEAD/);
    assert.deepEqual(workspaceState(ws), before);

    ws = await workspace();
    const file = join(ws, 'acme-infra', YO_RC);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"kubernetesVersion": "1.34"', '"kubernetesVersion": "1.35"'),
    );
    commitAll(join(ws, 'acme-infra'), 'upgraded alone');
    before = workspaceState(ws);
    error = await refused(addService(ws, 'web'));
    assert.match(error.message, /record different answers/);
    assert.deepEqual(workspaceState(ws), before);
  });

  it('refuses recorded services that break the naming rules (a name is a path)', async () => {
    const ws = await workspace();
    for (const repo of ['acme-infra', 'acme-gitops']) {
      const file = join(ws, repo, YO_RC);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"name": "api"', '"name": "../../escaped"'));
      commitAll(join(ws, repo), 'tampered');
    }
    const error = await refused(addService(ws, 'web'));
    assert.match(error.message, /services\[0\]\.name: "\.\.\/\.\.\/escaped" must be a DNS-1123 label/);
  });

  it('a service named before the others changes no unrelated file, and leaves team-owned files alone', async () => {
    const ws = await workspace();
    const gitops = join(ws, 'acme-gitops');
    const owners = join(gitops, '.github', 'CODEOWNERS');
    const edited = readFileSync(owners, 'utf8').replace(/^# {3}(\/environments\/.*-team)$/m, '$1');
    assert.notEqual(edited, readFileSync(owners, 'utf8'), 'the example line was uncommented');
    writeFileSync(owners, edited);
    commitAll(gitops, 'owners');
    await addService(ws, 'aaa');
    assert.equal(readFileSync(owners, 'utf8'), edited);
    const changed = git(gitops, 'diff', '--name-only', 'main', 'add-service-aaa').split('\n');
    for (const path of changed) {
      assert.ok(
        /(^|\/)aaa(\.yaml|\/)|^argocd\/.*\/(projects\/services|platform\/cluster-secret-store)\.yaml$|^README\.md$|^\.yo-rc\.json$|manifest\.json$/.test(
          path,
        ),
        `unexpected change: ${path}`,
      );
    }
  });

  it('--dry-run plans the add and writes nothing', async () => {
    const ws = await workspace();
    const before = workspaceState(ws);
    await addService(ws, 'web', { dryRun: true });
    assert.deepEqual(workspaceState(ws), before);
  });

  it('leaves every repo as it was when a commit fails part-way (GitOps, after infra committed)', async () => {
    const ws = await workspace();
    const hook = join(ws, 'acme-gitops', '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "hook says no" >&2\nexit 1\n', { mode: 0o755 });
    const before = workspaceState(ws);
    const error = await refused(addService(ws, 'web'));
    assert.match(error.message, /hook says no/);
    assert.deepEqual(workspaceState(ws), before);
    assert.equal(existsSync(join(ws, 'web')), false);
    assert.deepEqual(
      readdirSync(ws).filter((e) => e.startsWith('.')),
      [],
      'no staging folder left',
    );
  });

  it('keeps hand edits in shared files byte for byte outside what the service adds', async () => {
    const ws = await workspace();
    const gitops = join(ws, 'acme-gitops');
    const project = join(gitops, 'argocd', 'dev', 'projects', 'services.yaml');
    const edited = readFileSync(project, 'utf8')
      .replace('spec:\n', 'spec:  # reviewed by the platform team\n')
      .replace(
        /( {2}destinations:\n(?: {4}.*\n)+?)( {2}# CreateNamespace)/,
        '$1    # a namespace we manage by hand\n    - server: "https://kubernetes.default.svc"\n      namespace: "monitoring"\n$2',
      );
    assert.notEqual(edited, readFileSync(project, 'utf8'), 'the edit applied');
    writeFileSync(project, edited);
    commitAll(gitops, 'hand edit');
    await addService(ws, 'web');
    const after = readFileSync(project, 'utf8');
    // Every line of the hand-edited file is still there, in order, and the new namespace was added.
    const remaining = after.split('\n');
    let i = 0;
    for (const line of edited.split('\n')) {
      i = remaining.indexOf(line, i);
      assert.ok(i >= 0, `lost line: ${line}`);
    }
    assert.match(after, /namespace: "web"/);
    assert.equal(after.split('\n').length, edited.split('\n').length + 2);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import { completeAnswers } from '../generators/lib/answers.ts';
import { buildModel, splitAnswers } from '../generators/lib/model.ts';
import { renderWorkspace } from '../generators/lib/render.ts';
import { MANIFEST, PACKAGE_NAME, stateFiles, YO_RC } from '../generators/lib/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import { createRepos } from '../generators/lib/workspace.ts';
import AddServiceGenerator from '../generators/service/index.ts';
import { readTree, rejection } from './support/workspace.ts';

/** A workspace as `new --defaults --skip-install` writes it (three repos, one commit each). */
function workspace(answers: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'svc-'));
  const { platform, service } = splitAnswers(completeAnswers(answers, true));
  const model = buildModel(platform, [service], generatorId);
  createRepos(
    dir,
    renderWorkspace(model).map((r) => ({
      name: r.repo.name,
      files: [...r.files, ...stateFiles(r, platform, [service], generatorId.version)],
      commitMessage: 'initial',
    })),
    { git: true },
  );
  return dir;
}

const git = (dir: string, ...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).stdout.trim();

function commitAll(dir: string, message: string) {
  for (const args of [
    ['add', '-A'],
    ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message],
  ]) {
    assert.equal(spawnSync('git', args, { cwd: dir }).status, 0);
  }
}

/** Everything a refusal must leave as it was: branches, HEADs, index, work tree, files. */
function snapshot(ws: string) {
  const out: Record<string, unknown> = { entries: readdirSync(ws).sort() };
  for (const repo of ['acme-infra', 'acme-gitops']) {
    const dir = join(ws, repo);
    out[repo] = {
      branches: git(dir, 'branch', '--format=%(refname:short) %(objectname)'),
      head: git(dir, 'symbolic-ref', '--short', 'HEAD'),
      status: git(dir, 'status', '--porcelain', '--untracked-files=all'),
      files: [...readTree(dir)].map(([p, c]) => `${p}:${c.toString('base64')}`),
    };
  }
  return out;
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
    const ws = workspace();
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
    const { platform } = splitAnswers(completeAnswers({}, true));
    const services = [
      { name: 'api', port: 8080 },
      { name: 'web', port: 8081 },
    ];
    const model = buildModel(platform, services, generatorId);
    for (const rendered of renderWorkspace(model).filter((r) => r.repo.kind !== 'app')) {
      const expected = stateFiles(rendered, platform, services, generatorId.version).find((f) => f.path === MANIFEST);
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
    const ws = workspace();
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
    ['an existing folder for the app repo', (ws) => spawnSync('mkdir', [join(ws, 'web')]), 'web already exists'],
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
      const ws = workspace();
      arrange(ws);
      const before = snapshot(ws);
      const error = await refused(addService(ws, names[what] ?? 'web', options));
      assert.ok(error.message.includes(message), error.message);
      assert.deepEqual(snapshot(ws), before);
    });
  }

  it('refuses a repo on a detached HEAD, and repos that record different answers', async () => {
    let ws = workspace();
    git(join(ws, 'acme-gitops'), 'checkout', '-q', '--detach');
    let before = snapshot(ws);
    let error = await refused(addService(ws, 'web'));
    assert.match(error.message, /acme-gitops is on a detached HEAD/);
    assert.deepEqual(snapshot(ws), before);

    ws = workspace();
    const file = join(ws, 'acme-infra', YO_RC);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('"kubernetesVersion": "1.34"', '"kubernetesVersion": "1.35"'),
    );
    commitAll(join(ws, 'acme-infra'), 'upgraded alone');
    before = snapshot(ws);
    error = await refused(addService(ws, 'web'));
    assert.match(error.message, /record different answers/);
    assert.deepEqual(snapshot(ws), before);
  });

  it('refuses recorded services that break the naming rules (a name is a path)', async () => {
    const ws = workspace();
    for (const repo of ['acme-infra', 'acme-gitops']) {
      const file = join(ws, repo, YO_RC);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"name": "api"', '"name": "../../escaped"'));
      commitAll(join(ws, repo), 'tampered');
    }
    const error = await refused(addService(ws, 'web'));
    assert.match(error.message, /services\[0\]\.name: "\.\.\/\.\.\/escaped" must be a DNS-1123 label/);
  });

  it('a service named before the others changes no unrelated file, and leaves team-owned files alone', async () => {
    const ws = workspace();
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
    const ws = workspace();
    const before = snapshot(ws);
    await addService(ws, 'web', { dryRun: true });
    assert.deepEqual(snapshot(ws), before);
  });

  it('leaves every repo as it was when a commit fails part-way (GitOps, after infra committed)', async () => {
    const ws = workspace();
    const hook = join(ws, 'acme-gitops', '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "hook says no" >&2\nexit 1\n', { mode: 0o755 });
    const before = snapshot(ws);
    const error = await refused(addService(ws, 'web'));
    assert.match(error.message, /hook says no/);
    assert.deepEqual(snapshot(ws), before);
    assert.equal(existsSync(join(ws, 'web')), false);
    assert.deepEqual(
      readdirSync(ws).filter((e) => e.startsWith('.')),
      [],
      'no staging folder left',
    );
  });

  it('keeps hand edits in shared files byte for byte outside what the service adds', async () => {
    const ws = workspace();
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

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import helpers from 'yeoman-test';
import NewPlatformGenerator from '../generators/app/index.ts';
import { ValidationError } from '../generators/lib/errors.ts';
import { createRepos } from '../generators/lib/repos/create.ts';
import { MANIFEST, PACKAGE_NAME, sha256, YO_RC } from '../generators/lib/repos/state.ts';
import { generatorVersion } from '../generators/lib/version.ts';
import { fixture, readTree, rejection, workspaceState } from './support/workspace.ts';

// yeoman-test infers option types from @yeoman/types' BaseGenerator, which cannot see the keys our
// table declares at run time; the options are checked by the generator itself.
const contexts: ReturnType<typeof helpers.run>[] = [];
function run(options: Record<string, unknown>) {
  const context = helpers.run(NewPlatformGenerator, { namespace: 'gitops-platform:app' }).withOptions(options as never);
  contexts.push(context);
  return context;
}
// yeoman-test removes a run's folder only when the next run starts; the last one is removed here.
afterEach(() => {
  for (const context of contexts.splice(0)) context.cleanup();
});

function yoRc(dir: string) {
  return JSON.parse(readFileSync(join(dir, YO_RC), 'utf8'))[PACKAGE_NAME];
}

function gitLog(dir: string): string[] {
  return spawnSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8', timeout: 10_000 })
    .stdout.trim()
    .split('\n');
}

const refusal = (context: ReturnType<typeof run>) => rejection(context, 'new');

/** Puts a file of the user's in the run's folder before the generator runs, and keeps that state. */
function withUsersFile(context: ReturnType<typeof run>) {
  const seen: { dir: string; before: Record<string, unknown> } = { dir: '', before: {} };
  context.onTargetDirectory((dir) => {
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    Object.assign(seen, { dir, before: workspaceState(dir) });
  });
  return { context, seen };
}

describe('new (yeoman-test)', () => {
  it('--defaults writes the three repos, each a git repo with one commit and its state', async () => {
    const result = await run({ defaults: true });
    const names = readdirSync(result.cwd).sort();
    assert.deepEqual(names, ['acme-gitops', 'acme-infra', 'api']);
    for (const [name, kind] of [
      ['acme-infra', 'infra'],
      ['acme-gitops', 'gitops'],
      ['api', 'app'],
    ]) {
      const dir = join(result.cwd, name);
      const state = yoRc(dir);
      assert.equal(state.repo, kind);
      assert.equal(state.version, generatorVersion);
      assert.equal(state.answers.org, 'acme');
      assert.equal(state.answers.awsAccountId, '123456789012');
      assert.deepEqual(state.services, [{ name: 'api', port: 8080 }]);
      assert.deepEqual(gitLog(dir), [`chore: generate ${kind} repo with ${PACKAGE_NAME} ${generatorVersion}`]);
      const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 10_000 });
      // The commit is written by fast-import and the index by the generator: git must agree with both.
      assert.equal(git('status', '--porcelain', '--untracked-files=all').stdout, '');
      assert.equal(git('diff-index', '--quiet', 'HEAD').status, 0, 'index differs from HEAD');
      assert.equal(git('diff-files', '--quiet').status, 0, 'work tree differs from the index');
      assert.equal(git('fsck', '--strict', '--no-progress').status, 0, git('fsck', '--strict').stderr);
      assert.deepEqual(
        git('ls-files').stdout.trim().split('\n').sort(),
        [
          ...Object.keys(JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')).files),
          '.gitops-platform/manifest.json',
          '.yo-rc.json',
          // The app repo's lockfile comes from npm, not from a template.
          ...(kind === 'app' ? ['package-lock.json'] : []),
        ].sort(),
      );
      for (const line of git('ls-files', '--stage').stdout.trim().split('\n')) {
        const [mode, , , path] = line.split(/\s+/);
        assert.equal(mode, path.endsWith('.sh') ? '100755' : '100644', path);
      }
      const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
      for (const [path, entry] of Object.entries<{ sha256: string }>(manifest.files)) {
        assert.equal(sha256(readFileSync(join(dir, path), 'utf8')), entry.sha256, path);
      }
    }
    assert.ok(existsSync(join(result.cwd, 'acme-gitops', 'charts', 'api', 'Chart.yaml')));
    assert.ok(existsSync(join(result.cwd, 'acme-gitops', 'argocd', 'prod', 'apps', 'api.yaml')));
  });

  it('takes answers from options (numbers as strings) and keeps them in .yo-rc.json', async () => {
    const result = await run({
      org: 'initech',
      'aws-account-id': '012345678901',
      environments: 'dev,qa,prod',
      accounts: 'prod=999999999999',
      'aws-region': 'eu-central-1',
      domain: 'initech.example',
      service: 'tps',
      port: '9000',
      interactive: false,
    });
    const state = yoRc(join(result.cwd, 'initech-gitops'));
    assert.deepEqual(state.answers, {
      org: 'initech',
      githubOwner: 'initech',
      awsAccountId: '012345678901',
      accounts: { prod: '999999999999' },
      awsRegion: 'eu-central-1',
      environments: ['dev', 'qa', 'prod'],
      kubernetesVersion: '1.34',
      domain: 'initech.example',
      // Allocated once and recorded (never given to another environment later).
      vpcCidrs: { dev: '10.10.0.0/16', qa: '10.11.0.0/16', prod: '10.12.0.0/16' },
    });
    assert.deepEqual(state.services, [{ name: 'tps', port: 9000 }]);
    assert.ok(existsSync(join(result.cwd, 'initech-gitops', 'environments', 'qa', 'tps.yaml')));
  });

  it('takes answers from an answers file; options override it', async () => {
    const result = await run({ answers: fixture('answers-full.yaml'), service: 'billing' });
    const state = yoRc(join(result.cwd, 'globex-gitops'));
    assert.equal(state.answers.githubOwner, 'Globex-Corp');
    assert.equal(state.answers.awsAccountId, '000111222333');
    assert.deepEqual(state.services, [{ name: 'billing', port: 3000 }]);
  });

  it('asks only for what is missing when interactive', async () => {
    const result = await run({ org: 'hooli', interactive: true }).withAnswers({
      awsAccountId: '111122223333',
      environments: 'dev,prod',
      domain: '',
    });
    const state = yoRc(join(result.cwd, 'hooli-infra'));
    assert.equal(state.answers.org, 'hooli');
    assert.equal(state.answers.awsAccountId, '111122223333');
    assert.equal(state.answers.domain, undefined);
  });

  it('without a terminal, lists the missing answers and writes nothing', async () => {
    const { context, seen } = withUsersFile(run({ interactive: false, environments: 'dev,prod' }));
    const error = await refusal(context);
    assert.ok(error instanceof ValidationError, String(error));
    assert.match(error.message, /org: \(missing\) is required/);
    assert.match(error.message, /awsAccountId: \(missing\) is required/);
    assert.deepEqual(workspaceState(seen.dir), seen.before);
  });

  it('refuses a bad option before anything is written, naming field, value and rule', async () => {
    const { context, seen } = withUsersFile(run({ defaults: true, 'aws-account-id': '12345' }));
    const error = await refusal(context);
    assert.match(error.message, /awsAccountId: "12345" must be exactly 12 digits/);
    assert.deepEqual(workspaceState(seen.dir), seen.before);
  });

  it('refuses a bad answers file entry, and an unknown key', async () => {
    let error = await refusal(run({ answers: fixture('answers-bad.yaml') }));
    assert.match(error.message, /environments: \["dev","dev"\] must not repeat "dev"/);
    error = await refusal(run({ answers: fixture('answers-unknown-key.json') }));
    assert.match(error.message, /kubernetes: "1.33" is not a known answer/);
  });

  it('refuses to write into a workspace where one of the repos exists, and changes nothing', async () => {
    const context = run({ defaults: true }).onTargetDirectory((dir) => {
      mkdirSync(join(dir, 'acme-gitops'));
      writeFileSync(join(dir, 'acme-gitops', 'mine.txt'), 'hand-written\n');
    });
    const error = await refusal(context);
    assert.match(error.message, /acme-gitops already exists\. Nothing was written/);
    const dir = context.targetDirectory as string;
    assert.deepEqual(readdirSync(dir).sort(), ['acme-gitops']);
    assert.deepEqual([...readTree(join(dir, 'acme-gitops')).keys()], ['mine.txt']);
  });

  it('--dry-run lists the files per repo and writes nothing', async () => {
    // What it prints is checked through the bin in cli.test.ts.
    const { context, seen } = withUsersFile(run({ defaults: true, 'dry-run': true }));
    await context;
    assert.deepEqual(workspaceState(seen.dir), seen.before);
  });

  it('--skip-git writes the files without git repositories', async () => {
    const result = await run({ defaults: true, 'skip-git': true });
    assert.ok(existsSync(join(result.cwd, 'acme-gitops', 'charts', 'api', 'values.yaml')));
    assert.equal(existsSync(join(result.cwd, 'acme-gitops', '.git')), false);
  });

  it('writes byte-identical trees when run twice with the same answers (git metadata aside)', async () => {
    // yeoman-test removes a run's folder when the next one starts, so read each tree at once.
    const first = await run({ answers: fixture('answers-full.yaml') });
    const a = readTree(first.cwd, (p) => p.endsWith('.git'));
    const second = await run({ answers: fixture('answers-full.yaml') });
    assert.notEqual(first.cwd, second.cwd);
    const b = readTree(second.cwd, (p) => p.endsWith('.git'));
    assert.ok(a.size > 30);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [path, content] of a) assert.ok(content.equals(b.get(path) as Buffer), path);
  });
});

describe('workspace transaction', () => {
  it('leaves the workspace as it was when a repo fails part-way', async () => {
    const dir = (await run({ defaults: true, 'dry-run': true })).cwd;
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    const before = workspaceState(dir);
    const ok = { path: 'README.md', content: '# ok\n', policy: 'merge' as const };
    // The second repo cannot be written: a file and a folder share one path.
    const broken = [
      { path: 'a', content: 'file\n', policy: 'merge' as const },
      { path: 'a/b', content: 'nested\n', policy: 'merge' as const },
    ];
    await assert.rejects(
      () =>
        createRepos(
          dir,
          [
            { name: 'one', files: [ok], commitMessage: 'one' },
            { name: 'two', files: broken, commitMessage: 'two' },
          ],
          { git: true },
        ),
      /^Error: EEXIST: file already exists, mkdir '.*\/\.gitops-platform-staging-[\w-]+\/two\/a'$/,
    );
    assert.deepEqual(workspaceState(dir), before);
  });

  it('removes the workspace folders it created when it fails', async () => {
    const dir = (await run({ defaults: true, 'dry-run': true })).cwd;
    const broken = [
      { path: 'a', content: 'file\n', policy: 'merge' as const },
      { path: 'a/b', content: 'nested\n', policy: 'merge' as const },
    ];
    const before = workspaceState(dir);
    await assert.rejects(
      () =>
        createRepos(join(dir, 'deep', 'er'), [{ name: 'one', files: broken, commitMessage: 'one' }], { git: false }),
      /^Error: EEXIST: file already exists, mkdir '.*\/deep\/er\/\.gitops-platform-staging-[\w-]+\/one\/a'$/,
    );
    assert.deepEqual(workspaceState(dir), before);
  });

  it('leaves the workspace as it was when git fails part-way', async () => {
    const dir = (await run({ defaults: true, 'dry-run': true })).cwd;
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    const before = workspaceState(dir);
    // git cannot store objects in a file: the repo's files are written, its commit fails.
    const previous = process.env.GIT_OBJECT_DIRECTORY;
    process.env.GIT_OBJECT_DIRECTORY = join(dir, 'keep.txt');
    try {
      await assert.rejects(
        () =>
          createRepos(
            dir,
            [{ name: 'one', files: [{ path: 'x', content: 'x\n', policy: 'merge' }], commitMessage: 'one' }],
            { git: true },
          ),
        /^GitError: git [a-z-]+ .*failed in .*\/\.gitops-platform-staging-[\w-]+\/one:\n/,
      );
    } finally {
      if (previous === undefined) delete process.env.GIT_OBJECT_DIRECTORY;
      else process.env.GIT_OBJECT_DIRECTORY = previous;
    }
    assert.deepEqual(workspaceState(dir), before);
  });
});

/**
 * Every rollback path, each driven to its failure by a real condition: a folder that appears where
 * a repo must be moved (new), a file where a folder must go (a write), a git hook that refuses a
 * commit, and a git lock that makes a restore fail. Repos are tiny and built with the library, so
 * each test takes well under a second; every one fails if the rollback step it covers is removed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { dirname, join } from 'node:path';
import type { RenderedFile } from '../generators/lib/render/render.ts';
import { createRepos } from '../generators/lib/repos/create.ts';
import { workTree, writeFiles } from '../generators/lib/repos/files.ts';
import { freshStateFiles, MANIFEST, readRepoState } from '../generators/lib/repos/state.ts';
import { applyChanges, type ChangeOptions, type RepoChange } from '../generators/lib/repos/transaction.ts';
import {
  applyUpgrades,
  type FileChange,
  planUpgrades,
  type Replay,
  type RepoUpgrade,
} from '../generators/upgrade/plan.ts';
import { tempDir } from './support/temp.ts';
import { answersFor, repoState, treeState as tree } from './support/workspace.ts';

const temps: string[] = [];
function tmp(): string {
  const dir = tempDir('rollback');
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function git(dir: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, `git ${args.join(' ')} in ${dir}: ${result.stderr}`);
  return result.stdout;
}

const file = (path: string, content: string): RenderedFile => ({ path, content, policy: 'merge' });

/** A small committed repo on main. */
function repo(parent: string, name: string, files: RenderedFile[]): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFiles(dir, files);
  for (const args of [
    ['init', '--quiet', '--initial-branch=main'],
    ['add', '--all'],
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', `initial ${name}`],
  ]) {
    git(dir, ...args);
  }
  return dir;
}

function hook(dir: string, name: string, script: string): void {
  writeFileSync(join(dir, '.git', 'hooks', name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
}

describe('rollback: new, when a later move into the workspace fails', () => {
  const names = ['one', 'two', 'three'];
  for (const failing of [1, 2]) {
    it(`moves the ${failing} repo(s) already placed back out when move ${failing + 1} of 3 fails`, async () => {
      const ws = tmp();
      writeFileSync(join(ws, 'keep.txt'), 'mine\n');
      repo(ws, 'existing', [file('README.md', '# ours\n')]);
      const before = tree(ws);
      const obstacle = names[failing];
      let staging = '';
      const repos = names.map((name, n) => ({
        name,
        files: [file('README.md', `# ${name}\n`), file(`src/${name}.ts`, 'export {};\n')],
        commitMessage: name,
        // While the last repo is staged, something else takes the place of a later one (a file, so
        // the move fails for root too), after assertAbsent said it was free.
        prepare:
          n === names.length - 1
            ? (dir: string) => {
                staging = dirname(dir);
                writeFileSync(join(ws, obstacle), 'taken meanwhile\n');
              }
            : undefined,
      }));
      await assert.rejects(
        () => createRepos(ws, repos, { git: true }),
        new RegExp(`^Error: ENOTDIR: not a directory, rename '.*/${obstacle}' -> '.*/${obstacle}'$`),
      );
      assert.ok(staging.includes('.gitops-platform-staging-'), staging);
      assert.equal(existsSync(staging), false, 'the staging folder is gone');
      for (const name of names.slice(0, failing)) assert.equal(existsSync(join(ws, name)), false, `${name} moved out`);
      // Byte for byte what was there, plus the file that took the place (not ours to remove).
      const expected = [
        ...before,
        `file ${obstacle} 644 ${Buffer.from('taken meanwhile\n').toString('base64')}`,
      ].sort();
      assert.deepEqual(tree(ws).sort(), expected);
    });
  }
});

describe('rollback: new, when moving a placed repo back out fails too', () => {
  it('moves back the others, names the one it could not, and keeps the original error', async () => {
    const ws = tmp();
    const repos = ['one', 'two', 'three'].map((name) => ({
      name,
      files: [file('README.md', `# ${name}\n`)],
      commitMessage: name,
    }));
    // No real condition makes a rename back into the (our own) staging folder fail at that exact
    // moment, so renameSync is wrapped: the move of three fails, and so does moving one back.
    const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
    const original = fs.renameSync;
    fs.renameSync = (from, to) => {
      const [source, target] = [String(from), String(to)];
      if (source.endsWith('/three')) throw new Error('move of three failed');
      if (source === join(ws, 'one') && target.includes('.gitops-platform-staging-')) {
        throw new Error('one cannot go back');
      }
      original(from, to);
    };
    syncBuiltinESMExports();
    try {
      await assert.rejects(
        () => createRepos(ws, repos, { git: false }),
        (error: Error) => {
          assert.ok(error instanceof AggregateError, String(error));
          assert.equal(
            error.message,
            `move of three failed\nand these repos could not be moved back; remove them by hand:\n  ${join(ws, 'one')}: one cannot go back`,
          );
          assert.equal((error.errors[0] as Error).message, 'move of three failed');
          return true;
        },
      );
    } finally {
      fs.renameSync = original;
      syncBuiltinESMExports();
    }
    // two was moved back (and removed with the staging folder); one stays, as the message says.
    assert.deepEqual(readdirSync(ws), ['one']);
  });
});

describe('rollback: a restore that fails is reported, and the other repos are still restored', () => {
  it('names the repo whose restore failed and the original error; the repos before and after it are put back', async () => {
    const ws = tmp();
    const dirs = ['alpha', 'beta', 'gamma'].map((name) => repo(ws, name, [file('README.md', `# ${name}\n`)]));
    const [alpha, beta, gamma] = dirs;
    // beta: once its commit is made, another git process takes its index lock (so its restore
    // cannot check out main); gamma: a hook refuses the commit (the original failure).
    hook(beta, 'post-commit', 'touch "$(git rev-parse --git-dir)/index.lock"');
    hook(gamma, 'pre-commit', 'echo "gamma hook says no" >&2; exit 1');
    const before = dirs.map(repoState);
    const changes: RepoChange[] = dirs.map((dir, n) => ({
      name: ['alpha', 'beta', 'gamma'][n],
      dir,
      ops: [
        { path: 'README.md', content: '# changed\n' },
        { path: `charts/new-${n}/Chart.yaml`, content: 'name: x\n' },
      ],
      message: 'feat: change',
    }));
    await assert.rejects(
      () => applyChanges(changes, { branch: 'add-service-x', commit: true }),
      (error: Error) => {
        assert.ok(error instanceof AggregateError, String(error));
        assert.match(
          error.message,
          new RegExp(
            `^git commit --quiet -m feat: change failed in ${gamma}:\\ngamma hook says no\\n` +
              `and restoring failed for:\\n {2}beta: git checkout --quiet --force main failed in ${beta}:\\n` +
              `fatal: Unable to create '${beta}/\\.git/index\\.lock': File exists\\.`,
          ),
        );
        assert.match((error.errors[0] as Error).message, /gamma hook says no$/, 'the original error is kept');
        return true;
      },
    );
    assert.deepEqual(repoState(gamma), before[2], 'gamma (restored before beta failed)');
    assert.deepEqual(repoState(alpha), before[0], 'alpha (restored after beta failed)');
    // beta is left as the report says: not put back.
    rmSync(join(beta, '.git', 'index.lock'));
    assert.equal(git(beta, 'symbolic-ref', '--short', 'HEAD').trim(), 'add-service-x');
  });
});

describe('rollback: files a failed change created are removed, in every repo', () => {
  /** alpha changes and creates files; beta creates files, then a write fails (README.md is a file). */
  function twoRepos() {
    const ws = tmp();
    const alpha = repo(ws, 'alpha', [file('README.md', '# alpha\n'), file('docs/old.md', 'old\n')]);
    const beta = repo(ws, 'beta', [file('README.md', '# beta\n')]);
    return { alpha, beta, before: [repoState(alpha), repoState(beta)] };
  }
  const impossible = 'README.md/cannot-be-a-folder';

  const variants: [string, ChangeOptions][] = [
    ['on a new branch, committed', { branch: 'add-service-x', commit: true }],
    ['on the current branch, committed', { commit: true }],
    ['on the current branch, staged only', { commit: false }],
  ];
  for (const [what, options] of variants) {
    it(`service changes ${what}: no created file, folder or branch is left; HEAD, index, tree as before`, async () => {
      const { alpha, beta, before } = twoRepos();
      const changes: RepoChange[] = [
        {
          name: 'alpha',
          dir: alpha,
          ops: [
            { path: 'README.md', content: '# alpha, changed\n' },
            { path: 'charts/web/Chart.yaml', content: 'name: web\n' },
            { path: 'charts/web/templates/deployment.yaml', content: 'kind: Deployment\n' },
          ],
          message: 'feat: add service web',
        },
        {
          name: 'beta',
          dir: beta,
          ops: [
            { path: 'environments/dev/web.yaml', content: 'web: {}\n' },
            { path: 'docs/web.md', content: '# web\n' },
            { path: impossible, content: 'x\n' },
          ],
          message: 'feat: add service web',
        },
      ];
      await assert.rejects(() => applyChanges(changes, options), /^Error: (EEXIST|ENOTDIR): .*README\.md/);
      assert.deepEqual([repoState(alpha), repoState(beta)], before);
    });
  }

  /** A plan the upgrade applier takes; only `repo.dir` and the changes matter to it. */
  function plan(dir: string, changes: FileChange[]): RepoUpgrade {
    const { platform } = answersFor('minimal');
    return {
      repo: {
        dir,
        state: { format: 2, version: '0.0.9', repo: 'gitops', answers: platform, services: [] },
        read: workTree(dir),
      },
      mode: 'three-way',
      fromVersion: '0.0.9',
      toVersion: '0.1.0',
      changes,
      state: [file('.gitops-platform/manifest.json', '{}\n')],
    };
  }

  for (const commit of [false, true]) {
    it(`upgrade ${commit ? 'with' : 'without'} --commit: created files and folders go, removed and conflicted ones come back`, async () => {
      const { alpha, beta, before } = twoRepos();
      const alphaChanges: FileChange[] = [
        { path: 'README.md', action: 'updated', content: '# alpha, upgraded\n' },
        { path: 'docs/old.md', action: 'removed' },
        { path: 'scripts/new/validate.sh', action: 'added', content: '#!/bin/sh\n' },
      ];
      // A conflict leaves unmerged index entries (and cannot be committed).
      if (!commit) {
        alphaChanges.push({
          path: 'docs/guide.md',
          action: 'conflict',
          content: '<<<<<<< yours\na\n=======\nb\n>>>>>>> new template\n',
          stages: { base: '', ours: 'a\n', theirs: 'b\n' },
        });
      }
      const plans = [
        plan(alpha, alphaChanges),
        plan(beta, [
          { path: 'charts/web/values.yaml', action: 'added', content: 'replicas: 1\n' },
          { path: impossible, action: 'added', content: 'x\n' },
        ]),
      ];
      await assert.rejects(() => applyUpgrades(plans, { commit }), /^Error: (EEXIST|ENOTDIR): .*README\.md/);
      assert.deepEqual([repoState(alpha), repoState(beta)], before);
    });
  }
});

describe('rollback: an upgrade without a base keeps a dropped file the team edited', () => {
  const OLD = '0.0.9';
  const NOW = '0.1.0';
  const old = [
    file('README.md', '# platform\n'),
    file('charts/keep.yaml', 'keep: true\n'),
    file('docs/runbook.md', '# Runbook\n\nPage the platform team.\n'),
    file('docs/legacy.md', '# Legacy\n'),
  ];
  /** Today's templates: README changed, both docs dropped. */
  const now = [file('README.md', '# platform, new\n'), file('charts/keep.yaml', 'keep: true\n')];
  const edited = '# Runbook\n\nPage the platform team, then call Dana.\n';
  const { platform } = answersFor('minimal');

  function gitopsRepo(): string {
    const rendered = { repo: { kind: 'gitops' as const, name: '', fullName: '', url: '' }, files: old };
    const dir = repo(tmp(), 'acme-gitops', [...old, ...freshStateFiles(rendered, platform, [], OLD)]);
    writeFileSync(join(dir, 'docs', 'runbook.md'), edited);
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'our runbook');
    return dir;
  }

  const bases: [string, Replay, RegExp][] = [
    ['the recorded version cannot be had', () => ({ unavailable: 'offline in this test' }), /^offline in this test$/],
    [
      'the recorded version renders differently than the manifest recorded',
      () => ({
        version: OLD,
        results: [{ files: old.map((f) => (f.path === 'README.md' ? file(f.path, '# not what was written\n') : f)) }],
      }),
      /^the recorded version renders README\.md differently than the manifest recorded$/,
    ],
  ];
  for (const [why, replay, reason] of bases) {
    it(`when ${why}: the edited dropped file is kept, the unedited one removed`, async () => {
      const dir = gitopsRepo();
      const state = readRepoState(dir);
      assert.ok(state);
      assert.ok(readFileSync(join(dir, MANIFEST), 'utf8').includes('docs/runbook.md'));
      const [upgrade] = planUpgrades(
        [
          {
            repo: { dir, state, read: workTree(dir) },
            recorded: { answers: state.answers, services: state.services },
            target: state.answers,
          },
        ],
        replay,
        () => ({ version: NOW, results: [{ files: now }] }),
      );
      assert.equal(upgrade.mode, 'manifest-only');
      assert.match(upgrade.reason ?? '', reason);
      assert.deepEqual(
        upgrade.changes.map((c) => `${c.action} ${c.path}`),
        ['updated README.md', 'removed docs/legacy.md', 'kept docs/runbook.md'],
      );
      await applyUpgrades([upgrade], { commit: false });
      assert.equal(readFileSync(join(dir, 'docs', 'runbook.md'), 'utf8'), edited);
      assert.equal(existsSync(join(dir, 'docs', 'legacy.md')), false);
      assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), '# platform, new\n');
      const status = git(dir, 'status', '--porcelain', '--untracked-files=all');
      assert.match(status, /^D {2}docs\/legacy\.md$/m);
      assert.doesNotMatch(status, /runbook/, 'the team’s file is neither changed nor staged for removal');
    });
  }
});

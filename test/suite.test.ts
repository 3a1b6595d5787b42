/**
 * The suite's own guards, which the rest of it leans on: a stale build is noticed, and excuses
 * for tests that cannot run are read strictly.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { staleBuild } from './support/build.ts';
import { cannotRun, excusable, excuses, unknownExcuses } from './support/skips.ts';
import { tempDir } from './support/temp.ts';
import { repoRoot } from './support/workspace.ts';

describe('the suite: a stale build is rebuilt before tests run it', () => {
  /** A checkout with one source, one template and both build outputs, each with the given age. */
  function checkout(ages: Record<string, number>): string {
    const root = tempDir('stale');
    const now = Date.now() / 1000;
    for (const [path, age] of Object.entries(ages)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), 'x\n');
      utimesSync(join(root, path), now - age, now - age);
    }
    return root;
  }
  const built = { 'dist/cli.cjs': 10, 'dist/generators/app/index.js': 10 };

  it('is current when every output is newer than every source and template', () => {
    const root = checkout({ ...built, 'generators/lib/a.ts': 20, 'templates/x/y.ejs': 30 });
    assert.equal(staleBuild(root), undefined);
  });

  it('is stale when a source, or a template, is newer than the oldest output', () => {
    let root = checkout({ ...built, 'dist/cli.cjs': 5, 'generators/lib/a.ts': 7, 'templates/x/y.ejs': 30 });
    assert.equal(staleBuild(root), 'generators/lib/a.ts is newer than the build');
    root = checkout({ ...built, 'generators/lib/a.ts': 20, 'templates/x/deep/y.ejs': 1 });
    assert.equal(staleBuild(root), 'templates/x/deep/y.ejs is newer than the build');
  });

  it('is stale when an output is missing', () => {
    const root = checkout({ 'dist/cli.cjs': 10, 'generators/lib/a.ts': 20, 'templates/x/y.ejs': 30 });
    assert.equal(staleBuild(root), 'dist/generators/app/index.js is missing');
  });
});

describe('the suite: excuses for tests that cannot run', () => {
  it('reads "id: reason" pairs separated by semicolons', () => {
    const read = excuses({ GITOPS_PLATFORM_EXCUSED: 'tofu-validate: no registry;  docker-image : no dockerd here ' });
    assert.deepEqual(
      [...read],
      [
        ['tofu-validate', 'no registry'],
        ['docker-image', 'no dockerd here'],
      ],
    );
    assert.deepEqual([...excuses({})], []);
  });

  it('refuses an excuse without a reason', () => {
    assert.throws(
      () => excuses({ GITOPS_PLATFORM_EXCUSED: 'tofu-validate' }),
      /^Error: GITOPS_PLATFORM_EXCUSED: "tofu-validate" is not "id: reason"$/,
    );
    assert.throws(
      () => excuses({ GITOPS_PLATFORM_EXCUSED: 'tofu-validate:   ' }),
      /^Error: GITOPS_PLATFORM_EXCUSED: "tofu-validate:" is not "id: reason"$/,
    );
  });

  /** Runs fn with the given environment variables set, then puts them back. */
  function withEnv(vars: Record<string, string>, fn: () => void): void {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('names an excuse for a test that does not exist (the run fails on it)', () => {
    withEnv({ GITOPS_PLATFORM_EXCUSED: 'tofu-validate: x; tofu-valdiate: typo' }, () => {
      assert.deepEqual(unknownExcuses(), ['tofu-valdiate']);
    });
  });

  it('with CI=true, a test that cannot run fails, saying how it could be excused', function () {
    withEnv({ CI: 'true' }, () => {
      assert.throws(
        () => cannotRun(this, 'docker-image', 'no dockerd'),
        /^Error: cannot run in CI: no dockerd \(or excuse it: GITOPS_PLATFORM_EXCUSED="docker-image: <reason>"\)$/,
      );
      assert.throws(
        () => cannotRun(this, 'tool-helm', 'helm is missing'),
        /^Error: cannot run in CI: helm is missing$/,
      );
    });
  });

  it('.ci/run excuses only known tests, each with a reason that parses', () => {
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const given = [...ci.matchAll(/^\s*excuse "([^"]+)"$/gm)].map((m) => m[1]);
    assert.ok(given.length > 0, 'no excuse in .ci/run');
    const read = excuses({ GITOPS_PLATFORM_EXCUSED: given.join('; ') });
    assert.equal(read.size, given.length, 'one excuse per line (a reason must not hold the separator)');
    for (const id of read.keys()) assert.ok(id in excusable, id);
  });
});

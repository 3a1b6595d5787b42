/**
 * The GitOps repo's own scripts, run for real: the rendered repo is committed and pushed to a local
 * bare repo, then scripts/set-image.sh deploys from two clones at once (different services, so both
 * must land), refuses bad input without changing anything, and scripts/promote.sh moves an image
 * one environment at a time. Needs git, bash and mikefarah yq v4; locally a missing tool skips
 * with the reason, with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { loadAnswersFile } from '../generators/lib/answers/file.ts';
import type { ServiceAnswers } from '../generators/lib/answers/table.ts';
import { completeAnswers } from '../generators/lib/answers/validate.ts';
import { buildModel } from '../generators/lib/model.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, requireYq, runAsync } from './support/tools.ts';

const GENERATOR = { name: 'generator-gitops-platform', version: '0.0.0-test' };
const FULL_ANSWERS = fileURLToPath(new URL('./fixtures/answers-full.yaml', import.meta.url));
const digestOf = (byte: string) => `sha256:${byte.repeat(32)}`;
const D_API = digestOf('a1');
const D_WEB = digestOf('b2');

// ---------------------------------------------------------------------------------------- tools

/** A tool through the shared lookup (skips locally, fails in CI); yq must be mikefarah yq v4. */
function findTool(ctx: Mocha.Context, name: string): string {
  return name === 'yq' ? requireYq(ctx) : requireTool(ctx, name);
}

// ---------------------------------------------------------------------------------------- helpers

/** Environment of every git and script call: hermetic git config, the right yq first on PATH. */
let scriptEnv: NodeJS.ProcessEnv = {};

function makeEnv(yqPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(GIT_|GITHUB_)/.test(key) || ['BRANCH', 'PUSH', 'SOURCE_REPOSITORY', 'SOURCE_SHA'].includes(key)) {
      delete env[key];
    }
  }
  return {
    ...env,
    PATH: `${dirname(yqPath)}${delimiter}${process.env.PATH ?? ''}`,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  };
}

function run(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  // set-image.sh retries pushes with backoff; a minute is far beyond its worst case.
  return spawnSync(cmd, args, { cwd, env: { ...scriptEnv, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
}

function git(cwd: string, ...args: string[]): string {
  const r = run('git', args, cwd);
  assert.equal(r.status, 0, `git ${args.join(' ')} in ${cwd}:\n${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts a script without waiting, so two can run at the same moment. */
function start(cwd: string, script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> {
  return runAsync('bash', [join(cwd, 'scripts', script), ...args], {
    cwd,
    env: { ...scriptEnv, ...extraEnv },
    timeoutMs: 60_000,
  });
}

function script(cwd: string, name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Result {
  const r = run('bash', [join(cwd, 'scripts', name), ...args], cwd, extraEnv);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function renderedRepo(answers: 'minimal' | 'full', services: ServiceAnswers[]): string {
  const given = answers === 'full' ? loadAnswersFile(FULL_ANSWERS) : {};
  const { platform } = completeAnswers(given, true);
  const model = buildModel(platform, services, GENERATOR);
  const dir = tempDir(`gitops-scripts-${answers}`);
  writeFiles(dir, renderRepo(model, 'gitops').files);
  git(dir, 'init', '--quiet', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'Initial commit');
  return dir;
}

function clone(bare: string, name: string): string {
  const dir = join(dirname(bare), name);
  git(dirname(bare), 'clone', '--quiet', bare, dir);
  git(dir, 'config', 'user.name', name);
  git(dir, 'config', 'user.email', `${name}@example.com`);
  return dir;
}

/** Every YAML file (Helm templates excepted) parses. */
function assertYamlParses(dir: string): number {
  let count = 0;
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const full = join(current, entry);
      const rel = relative(dir, full);
      if (rel === '.git' || /^charts\/[^/]+\/templates$/.test(rel)) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry)) {
        for (const doc of parseAllDocuments(readFileSync(full, 'utf8'))) {
          assert.deepEqual(doc.errors, [], `${rel} no longer parses`);
        }
        count++;
      }
    }
  };
  walk(dir);
  return count;
}

const commentLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#'));

const imageOf = (dir: string, file: string) =>
  (parse(readFileSync(join(dir, file), 'utf8')) as { image?: { digest?: string; tag?: string } }).image ?? {};

function assertUnchanged(dir: string, head: string, label: string): void {
  assert.equal(git(dir, 'status', '--porcelain'), '', `${label}: the clone has changes`);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head, `${label}: HEAD moved`);
}

// ---------------------------------------------------------------------------------------- tests

describe('GitOps repo scripts (set-image.sh, promote.sh) against local git repos', () => {
  const cleanup: string[] = [];
  let root = '';
  let bare = '';
  let start0 = '';

  before(function () {
    const yq = findTool(this, 'yq');
    findTool(this, 'git');
    findTool(this, 'bash');
    scriptEnv = makeEnv(yq);

    // Two services, two environments (dev, prod).
    const work = renderedRepo('minimal', [
      { name: 'api', port: 8080 },
      { name: 'web', port: 8081 },
    ]);
    root = tempDir('gitops-scripts-remote');
    cleanup.push(work, root);
    bare = join(root, 'gitops.git');
    git(root, 'init', '--quiet', '--bare', '-b', 'main', bare);
    git(work, 'remote', 'add', 'origin', bare);
    git(work, 'push', '--quiet', 'origin', 'main');
    // A barrier for the next two pushes: each waits (up to 10 s) until the other has arrived too, so
    // both race for the ref update and one is rejected: the retry path runs for real, every time.
    writeFileSync(
      join(bare, 'hooks', 'pre-receive'),
      [
        '#!/bin/sh',
        'dir=race; mkdir -p "$dir"',
        '[ "$(ls "$dir" | wc -l)" -ge 2 ] && exit 0',
        'touch "$dir/$$"; i=0',
        'while [ "$(ls "$dir" | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    start0 = git(bare, 'rev-parse', 'main');
  });

  after(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('the scripts are committed executable', () => {
    const modes = git(bare, 'ls-tree', 'main', 'scripts/');
    for (const name of ['set-image.sh', 'promote.sh', 'validate.sh']) {
      assert.match(modes, new RegExp(`^100755 blob \\S+\\tscripts/${name.replace('.', '\\.')}$`, 'm'), name);
    }
  });

  it('two clones deploying different services at the same moment both land, changing only the digests', async function () {
    // The pushes meet at a barrier that waits up to 10 s for both.
    this.timeout(30_000);
    const one = clone(bare, 'ci-api');
    const two = clone(bare, 'ci-web');
    const before = {
      api: readFileSync(join(one, 'environments/dev/api.yaml'), 'utf8'),
      web: readFileSync(join(one, 'environments/dev/web.yaml'), 'utf8'),
    };

    const [a, b] = await Promise.all([
      start(one, 'set-image.sh', ['dev', 'api', D_API], {
        SOURCE_REPOSITORY: 'acme/api',
        SOURCE_SHA: 'c'.repeat(40),
      }),
      start(two, 'set-image.sh', ['dev', 'web', D_WEB]),
    ]);
    assert.equal(a.status, 0, `api:\n${a.stdout}${a.stderr}`);
    assert.equal(b.status, 0, `web:\n${b.stdout}${b.stderr}`);
    assert.match(`${a.stderr}${b.stderr}`, /push rejected \(attempt 1 of 5\)/, 'one push raced the other and retried');

    // Both commits are on main, one after the other, with clear messages.
    const log = git(bare, 'log', '--format=%s', `${start0}..main`).split('\n').sort();
    assert.deepEqual(log, [`deploy(api): dev image ${'a1'.repeat(6)}`, `deploy(web): dev image ${'b2'.repeat(6)}`]);
    const apiCommit = git(bare, 'log', '--format=%B', '-1', '--grep=^deploy(api)', 'main');
    assert.match(apiCommit, new RegExp(`Image: ${D_API}`));
    assert.match(apiCommit, new RegExp(`Source: https://github.com/acme/api/commit/${'c'.repeat(40)}`));

    // Exactly two lines changed: the two digests.
    assert.equal(
      git(bare, 'diff', '--numstat', start0, 'main'),
      '1\t1\tenvironments/dev/api.yaml\n1\t1\tenvironments/dev/web.yaml',
    );
    const changed = git(bare, 'diff', '--unified=0', start0, 'main')
      .split('\n')
      .filter((l) => /^[+-](?![+-])/.test(l));
    assert.equal(changed.length, 4, changed.join('\n'));
    for (const line of changed) assert.match(line, /^[+-]\s+digest: /, line);

    // The result parses, keeps every comment, and carries the digests.
    const check = clone(bare, 'check');
    assert.ok(assertYamlParses(check) > 10);
    for (const service of ['api', 'web'] as const) {
      const after = readFileSync(join(check, `environments/dev/${service}.yaml`), 'utf8');
      assert.deepEqual(commentLines(after), commentLines(before[service]), `${service}: comments`);
      assert.equal(imageOf(check, `environments/dev/${service}.yaml`).digest, service === 'api' ? D_API : D_WEB);
    }
  });

  it('two deploys of the same file at the same moment both land; the later push wins', async function () {
    // The pushes meet at a barrier that waits up to 10 s for both.
    this.timeout(30_000);
    rmSync(join(bare, 'race'), { recursive: true, force: true }); // re-arm the barrier
    const one = clone(bare, 'same-1');
    const two = clone(bare, 'same-2');
    const base = git(bare, 'rev-parse', 'main');
    const [d1, d2] = [digestOf('c3'), digestOf('d4')];
    const [a, b] = await Promise.all([
      start(one, 'set-image.sh', ['prod', 'api', d1]),
      start(two, 'set-image.sh', ['prod', 'api', d2]),
    ]);
    assert.equal(a.status, 0, `${a.stdout}${a.stderr}`);
    assert.equal(b.status, 0, `${b.stdout}${b.stderr}`);
    assert.match(`${a.stderr}${b.stderr}`, /also changed on origin\/main; setting the digest again on top of it/);
    const subjects = git(bare, 'log', '--format=%s', `${base}..main`).split('\n');
    assert.equal(subjects.length, 2, subjects.join('\n'));
    const newest = subjects[0].endsWith('c3'.repeat(6)) ? d1 : d2;
    assert.match(git(bare, 'show', 'main:environments/prod/api.yaml'), new RegExp(`digest: "?${newest}"?`));
    assert.equal(git(bare, 'diff', '--numstat', base, 'main'), '1\t1\tenvironments/prod/api.yaml');
  });

  it('through pull requests: two services deploying at the same moment each get a branch of one commit on main, and both merge', async function () {
    this.timeout(30_000);
    rmSync(join(bare, 'race'), { recursive: true, force: true }); // both pushes meet at the barrier
    const main0 = git(bare, 'rev-parse', 'main');
    const one = clone(bare, 'pr-api');
    const two = clone(bare, 'pr-web');
    const outputs = [join(one, '..', 'pr-api.out'), join(two, '..', 'pr-web.out')];
    const [dApi, dWeb] = [digestOf('f6'), digestOf('a7')];
    const [a, b] = await Promise.all([
      start(one, 'set-image.sh', ['--pull-request', 'dev', 'api', dApi], { GITHUB_OUTPUT: outputs[0] }),
      start(two, 'set-image.sh', ['--pull-request', 'dev', 'web', dWeb], { GITHUB_OUTPUT: outputs[1] }),
    ]);
    assert.equal(a.status, 0, `api:\n${a.stdout}${a.stderr}`);
    assert.equal(b.status, 0, `web:\n${b.stdout}${b.stderr}`);
    assert.equal(git(bare, 'rev-parse', 'main'), main0, 'nothing is pushed to main');
    const short = (d: string) => d.slice('sha256:'.length, 'sha256:'.length + 12);
    assert.equal(
      readFileSync(outputs[0], 'utf8'),
      `changed=true\nbranch=deploy/dev/api\ntitle=deploy(api): dev image ${short(dApi)}\n`,
    );
    for (const [service, digest] of [
      ['api', dApi],
      ['web', dWeb],
    ] as const) {
      const branch = `deploy/dev/${service}`;
      assert.equal(git(bare, 'rev-list', '--count', `main..${branch}`), '1', `${branch}: one commit`);
      assert.equal(git(bare, 'merge-base', 'main', branch), main0, `${branch}: on top of main`);
      assert.equal(git(bare, 'diff', '--numstat', 'main', branch), `1\t1\tenvironments/dev/${service}.yaml`);
      assert.match(
        git(bare, 'show', `${branch}:environments/dev/${service}.yaml`),
        new RegExp(`digest: "?${digest}"?`),
      );
    }

    // A newer deploy of api while its pull request is open replaces the branch: still one commit.
    const again = clone(bare, 'pr-api-2');
    const dApi2 = digestOf('b8');
    const r = script(again, 'set-image.sh', ['--pull-request', 'dev', 'api', dApi2]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(git(bare, 'rev-list', '--count', 'main..deploy/dev/api'), '1');
    assert.match(git(bare, 'show', 'deploy/dev/api:environments/dev/api.yaml'), new RegExp(`digest: "?${dApi2}"?`));

    // GitHub's auto-merge, squash, one pull request after the other: no conflict, both digests land.
    const merger = clone(bare, 'pr-merge');
    for (const service of ['web', 'api']) {
      git(merger, 'fetch', '--quiet', 'origin', `deploy/dev/${service}`);
      git(merger, 'merge', '--quiet', '--squash', 'FETCH_HEAD');
      git(merger, 'commit', '--quiet', '-m', `deploy(${service}) (#1)`);
    }
    git(merger, 'push', '--quiet', 'origin', 'main');
    assert.equal(imageOf(merger, 'environments/dev/api.yaml').digest, dApi2);
    assert.equal(imageOf(merger, 'environments/dev/web.yaml').digest, dWeb);

    // Deployed already: nothing to do, no branch pushed.
    const done = clone(bare, 'pr-done');
    const out = join(done, '..', 'pr-done.out');
    const noop = script(done, 'set-image.sh', ['--pull-request', 'dev', 'web', dWeb], { GITHUB_OUTPUT: out });
    assert.equal(noop.status, 0, noop.stderr);
    assert.match(noop.stdout, /already has .*nothing to do/);
    assert.equal(readFileSync(out, 'utf8'), 'changed=false\n');
  });

  it('does nothing (exit 0) when the digest is already set', () => {
    const dir = clone(bare, 'noop');
    // Its own digest, set locally first: the test does not rely on what earlier tests deployed.
    const digest = digestOf('e5');
    const set = script(dir, 'set-image.sh', ['--no-push', 'dev', 'api', digest]);
    assert.equal(set.status, 0, `${set.stdout}${set.stderr}`);
    const head = git(dir, 'rev-parse', 'HEAD');
    const remoteHead = git(bare, 'rev-parse', 'main');
    const r = script(dir, 'set-image.sh', ['--no-push', 'dev', 'api', digest]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /already has .*nothing to do/);
    assertUnchanged(dir, head, 'no-op');
    assert.equal(git(bare, 'rev-parse', 'main'), remoteHead, 'nothing was pushed');
  });

  it('commits without pushing with --no-push or PUSH=false', () => {
    const dir = clone(bare, 'local');
    const remoteHead = git(bare, 'rev-parse', 'main');
    let r = script(dir, 'set-image.sh', ['--no-push', 'prod', 'api', D_API]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /not pushed/);
    r = script(dir, 'set-image.sh', ['prod', 'web', D_WEB], { PUSH: 'false' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(git(dir, 'rev-list', '--count', `${remoteHead}..HEAD`), '2');
    assert.equal(git(bare, 'rev-parse', 'main'), remoteHead, 'nothing was pushed');
  });

  it('refuses bad input with exit 2 and a clear message, changing nothing', () => {
    const dir = clone(bare, 'bad');
    const head = git(dir, 'rev-parse', 'HEAD');
    const cases: { args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }[] = [
      {
        args: ['qa', 'api', D_API],
        message: /unknown environment 'qa': there is no environments\/qa\/ \(known: dev prod\)/,
      },
      { args: ['dev', 'nosuch', D_API], message: /no values file environments\/dev\/nosuch\.yaml/ },
      { args: ['dev', 'api', 'sha256:xyz'], message: /invalid digest 'sha256:xyz'/ },
      { args: ['dev', 'api', 'latest'], message: /invalid digest 'latest'/ },
      { args: ['dev', 'api', `sha256:${'AB'.repeat(32)}`], message: /invalid digest/ },
      { args: ['dev', 'api', `${D_API}\n`], message: /invalid digest/ },
      { args: ['../prod', 'api', D_API], message: /invalid environment name '\.\.\/prod'/ },
      { args: ['dev', 'API', D_API], message: /invalid service name 'API'/ },
      { args: ['dev', 'api'], message: /usage: scripts\/set-image\.sh/ },
      { args: ['--force', 'dev', 'api', D_API], message: /unknown option: --force/ },
      { args: ['dev', 'api', D_WEB], env: { SOURCE_SHA: 'HEAD' }, message: /invalid SOURCE_SHA 'HEAD'/ },
      { args: ['dev', 'api', D_WEB], env: { SOURCE_REPOSITORY: 'a b' }, message: /invalid SOURCE_REPOSITORY/ },
      { args: ['dev', 'api', D_WEB], env: { BRANCH: 'main..x' }, message: /invalid BRANCH/ },
      { args: ['dev', 'api', D_WEB], env: { PUSH: 'yes' }, message: /PUSH must be true or false/ },
      { args: ['--pull-request', '--no-push', 'dev', 'api', D_WEB], message: /cannot be combined with --no-push/ },
    ];
    for (const { args, env, message } of cases) {
      const r = script(dir, 'set-image.sh', args, env);
      const label = `set-image.sh ${args.join(' ')} ${JSON.stringify(env ?? {})}`;
      assert.equal(r.status, 2, `${label}: exit ${r.status}\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, label);
      assertUnchanged(dir, head, label);
    }

    // A hand edit in the file is never committed along with the digest.
    const file = join(dir, 'environments/dev/api.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}# local note\n`);
    const r = script(dir, 'set-image.sh', ['dev', 'api', D_WEB]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /has uncommitted changes/);
    assert.equal(readFileSync(file, 'utf8'), `${text}# local note\n`);
    assert.equal(git(dir, 'rev-parse', 'HEAD'), head);
    assert.equal(git(bare, 'rev-parse', 'main'), head, 'nothing was pushed');
  });

  it('refuses to commit when yq would rewrite more than the digest line', () => {
    const dir = clone(bare, 'layout');
    const file = join(dir, 'environments/prod/web.yaml');
    // A hand-formatted line that yq normalizes; blank lines alone are only reported.
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nextra:    value\n`);
    git(dir, 'commit', '--quiet', '-am', 'hand edit');
    const head = git(dir, 'rev-parse', 'HEAD');
    const r = script(dir, 'set-image.sh', ['--no-push', 'prod', 'web', D_WEB]);
    assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /yq would change more than \.image\.digest in environments\/prod\/web\.yaml/);
    assertUnchanged(dir, head, 'layout');

    writeFileSync(file, `${readFileSync(file, 'utf8').replace('extra:    value', 'extra: value')}\n`);
    git(dir, 'commit', '--quiet', '-am', 'blank lines');
    const ok = script(dir, 'set-image.sh', ['--no-push', 'prod', 'web', D_WEB]);
    assert.equal(ok.status, 0, `${ok.stdout}${ok.stderr}`);
    assert.match(ok.stderr, /yq removed \d blank line\(s\)/);
    assert.equal(imageOf(dir, 'environments/prod/web.yaml').digest, D_WEB);
    assert.equal(git(dir, 'status', '--porcelain'), '');
  });

  it('promote.sh copies the image dev -> prod (two environments)', () => {
    const dir = clone(bare, 'promote-two');
    // Its own image in dev (an earlier test may have deployed one; this does not rely on it).
    const digest = digestOf('f6');
    const set = script(dir, 'set-image.sh', ['--no-push', 'dev', 'api', digest]);
    assert.equal(set.status, 0, `${set.stdout}${set.stderr}`);
    const target = 'environments/prod/api.yaml';
    const before = readFileSync(join(dir, target), 'utf8');
    const outputs = join(dirname(bare), 'github-output');
    writeFileSync(outputs, '');
    const r = script(dir, 'promote.sh', ['api', 'dev', 'prod'], { GITHUB_OUTPUT: outputs });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(imageOf(dir, target).digest, digest);
    assert.equal(git(dir, 'diff', '--numstat'), `1\t1\t${target}`);
    assert.deepEqual(commentLines(readFileSync(join(dir, target), 'utf8')), commentLines(before));
    const out = readFileSync(outputs, 'utf8');
    for (const line of ['service=api', 'from=dev', 'to=prod', `file=${target}`, `digest=${digest}`, 'changed=true']) {
      assert.ok(out.split('\n').includes(line), `GITHUB_OUTPUT lacks ${line}:\n${out}`);
    }
    assert.match(out, new RegExp(`^short=${'f6'.repeat(6)}$`, 'm'));

    // Again: nothing to change.
    git(dir, 'commit', '--quiet', '-am', 'promote');
    const again = script(dir, 'promote.sh', ['api', 'dev', 'prod']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to change/);
    assert.equal(git(dir, 'status', '--porcelain'), '');
  });

  it('promote.sh moves one environment at a time (three environments) and refuses what it cannot do', () => {
    const dir = renderedRepo('full', [{ name: 'payments', port: 3000 }]);
    cleanup.push(dir);
    const head0 = git(dir, 'rev-parse', 'HEAD');

    // No image in dev yet.
    let r = script(dir, 'promote.sh', ['payments', 'dev', 'staging']);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /environments\/dev\/payments\.yaml has no image/);
    assertUnchanged(dir, head0, 'no image');

    r = script(dir, 'set-image.sh', ['--no-push', 'dev', 'payments', D_API]);
    assert.equal(r.status, 0, r.stderr);
    const head = git(dir, 'rev-parse', 'HEAD');

    const refusals: { args: string[]; message: RegExp }[] = [
      { args: ['payments', 'dev', 'prod'], message: /prod is not the environment after dev: promote dev to staging/ },
      { args: ['payments', 'prod', 'staging'], message: /staging is not the environment after prod|last environment/ },
      {
        args: ['payments', 'staging', 'dev'],
        message: /dev is not the environment after staging: promote staging to prod/,
      },
      {
        args: ['payments', 'dev', 'qa'],
        message: /unknown environment 'qa' \(environments, in order: dev staging prod\)/,
      },
      { args: ['payments', 'staging', 'prod'], message: /environments\/staging\/payments\.yaml has no image/ },
      { args: ['nosuch', 'dev', 'staging'], message: /no values file environments\/dev\/nosuch\.yaml/ },
      { args: ['Payments', 'dev', 'staging'], message: /invalid service name/ },
      { args: ['payments', 'dev'], message: /usage: scripts\/promote\.sh/ },
    ];
    for (const { args, message } of refusals) {
      const res = script(dir, 'promote.sh', args);
      const label = `promote.sh ${args.join(' ')}`;
      assert.equal(res.status, 2, `${label}: exit ${res.status}\n${res.stdout}${res.stderr}`);
      assert.match(res.stderr, message, label);
      assertUnchanged(dir, head, label);
    }

    // dev -> staging -> prod, one step at a time.
    r = script(dir, 'promote.sh', ['payments', 'dev', 'staging']);
    assert.equal(r.status, 0, r.stderr);
    git(dir, 'commit', '--quiet', '-am', 'promote to staging');
    r = script(dir, 'promote.sh', ['payments', 'staging', 'prod']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(imageOf(dir, 'environments/prod/payments.yaml').digest, D_API);
    assert.equal(git(dir, 'diff', '--numstat'), '1\t1\tenvironments/prod/payments.yaml');
    assertYamlParses(dir);
  });
});

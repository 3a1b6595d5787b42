/**
 * Template updates as pull requests, end to end: a package tarball from `npm pack` stands in for
 * the newest published release (this package with a higher version and two templates changed). The
 * generated repo's own scripts/template-update.sh runs it with npm exec, as its scheduled workflow
 * does: the upgrade lands staged in the work tree, conflicts marked in their files and listed in
 * the pull request body, hand edits kept; a repo already on that release has nothing to propose.
 * The workflow around it (schedule, permissions, token) is checked as GitHub reads it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generatorId } from '../generators/lib/version.ts';
import { commitAll, git } from './support/git.ts';
import { tempDir } from './support/temp.ts';
import { olderVersion } from './support/versions.ts';
import { madeWorkspace, repoRoot } from './support/workspace.ts';

const NOW_LINE = 'The desired state of every Kubernetes workload of';
const NEWER_LINE = 'The desired state, in git, of every Kubernetes workload of';
const NEWER = '99.0.0';
const NOW_WORKFLOW_LINE = '# Template updates as pull requests: every Monday';
const NEWER_WORKFLOW_LINE = '# Template updates as pull requests, every Monday';
/** The stand-ins of the two tokens the workflow may run with (see github() below). */
const WORKFLOW_TOKEN = 'stand-in-for-github.token';
const SECRET_TOKEN = 'stand-in-for-TEMPLATE_UPDATE_TOKEN';

describe('template updates as pull requests (scripts/template-update.sh with an npm pack tarball)', function () {
  // npm exec installs the tarball and its dependencies (from npm's cache after npm ci).
  this.timeout(300_000);
  let tarball = '';
  let versions = '';
  const npxEntries = new Set<string>();

  before(() => {
    if (!existsSync(join(repoRoot, 'dist', 'cli.cjs'))) throw new Error('run npm run build first (npm test does)');
    // The release: this package as version 99.0.0 with one template line changed, packed as npm
    // would publish it.
    const release = olderVersion(NEWER, (templates) => {
      const change = (path: string[], from: string, to: string) => {
        const file = join(templates, ...path);
        const text = readFileSync(file, 'utf8');
        assert.ok(text.includes(from), `${path.join('/')}: ${from}`);
        writeFileSync(file, text.replace(from, to));
      };
      change(['gitops', 'README.md.ejs'], NOW_LINE, NEWER_LINE);
      // A workflow file too: GitHub accepts its change only from a token with the Workflows permission.
      change(['common', '.github', 'workflows', 'template-update.yaml.ejs'], NOW_WORKFLOW_LINE, NEWER_WORKFLOW_LINE);
    });
    const pkg = join(release.cache, NEWER, 'node_modules', 'generator-gitops-platform');
    const out = tempDir('template-update-pack');
    const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', out], {
      cwd: pkg,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(packed.status, 0, packed.stderr);
    tarball = join(out, packed.stdout.trim().split('\n').at(-1) as string);
    // The version the repos record, for upgrade's three-way base: installed where upgrade looks,
    // as it would install it from the registry.
    versions = olderVersion(generatorId.version, () => {}).cache;
  });

  after(() => {
    // npm exec keeps what it installed under ~/.npm/_npx/<hash>: remove this run's entries.
    const npx = join(homedir(), '.npm', '_npx');
    if (!existsSync(npx)) return;
    for (const entry of readdirSync(npx)) {
      const manifest = join(npx, entry, 'package.json');
      if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes(tarball)) npxEntries.add(join(npx, entry));
    }
    for (const dir of npxEntries) rmSync(dir, { recursive: true, force: true });
  });

  function update(repo: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) {
    const work = tempDir('template-update-run');
    const output = join(work, 'github-output');
    const body = join(work, 'body.md');
    writeFileSync(output, '');
    const result = spawnSync('bash', [join(repo, 'scripts', 'template-update.sh'), ...args], {
      cwd: repo,
      encoding: 'utf8',
      input: '',
      timeout: 240_000,
      env: {
        ...process.env,
        GITOPS_PLATFORM_PACKAGE: tarball,
        GITOPS_PLATFORM_VERSIONS: versions,
        GITOPS_PLATFORM_OFFLINE: '1',
        TEMPLATE_UPDATE_BODY: body,
        GITHUB_OUTPUT: output,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        npm_config_update_notifier: 'false',
        ...extraEnv,
      },
    });
    const outputs = Object.fromEntries(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    return { result, outputs, body: existsSync(body) ? readFileSync(body, 'utf8') : '' };
  }

  /**
   * The GitHub side, stood in for: the repository is a bare origin each run clones afresh (as the
   * workflow's checkout does), refusing, as GitHub does, a push with the workflow's own token that
   * changes a workflow file; `gh` records its calls and keeps whether a pull request is open.
   */
  function github(ws: string, repoName: string, token: string) {
    const dir = tempDir('template-update-github');
    const origin = join(dir, 'origin.git');
    git(dir, 'clone', '--quiet', '--bare', join(ws, repoName), origin);
    writeFileSync(
      join(origin, 'hooks', 'pre-receive'),
      [
        '#!/usr/bin/env bash',
        `[[ \${GH_TOKEN:-} == ${WORKFLOW_TOKEN} ]] || exit 0`,
        'while read -r _ new _; do',
        '  changed=$(git diff --name-only main "$new" -- .github/workflows | head -1)',
        '  if [[ -n $changed ]]; then',
        "    echo \"refusing to allow a GitHub App to create or update workflow '$changed' without 'workflows' permission\" >&2",
        '    exit 1',
        '  fi',
        'done',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'gh-calls');
    const open = join(dir, 'pr-open');
    // A script that, once, runs while the run is between reading the branch and pushing it.
    const meanwhile = join(dir, 'meanwhile');
    writeFileSync(calls, '');
    writeFileSync(open, '0');
    writeFileSync(
      join(bin, 'gh'),
      [
        '#!/usr/bin/env bash',
        `echo "$*" >> ${JSON.stringify(calls)}`,
        'case "$1 $2" in',
        `  "auth setup-git") if [[ -e ${JSON.stringify(meanwhile)} ]]; then bash ${JSON.stringify(meanwhile)}; rm ${JSON.stringify(meanwhile)}; fi ;;`,
        `  "pr list") cat ${JSON.stringify(open)} ;;`,
        `  "pr create") echo 1 > ${JSON.stringify(open)} ;;`,
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    let n = 0;
    return {
      origin,
      /** A fresh checkout of the default branch. */
      checkout: () => {
        const work = join(dir, `work-${n++}`);
        git(dir, 'clone', '--quiet', origin, work);
        return work;
      },
      env: { PATH: `${bin}:${process.env.PATH}`, GH_TOKEN: token },
      calls: () => readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean),
      /** Runs `script` (bash) once, after the next run has read the branch and before it pushes. */
      meanwhile: (script: string) => writeFileSync(meanwhile, script),
    };
  }

  it('--pull-request: the newest release on its branch, conflicts marked and listed, hand edits kept; updated, or left to the people resolving it', () => {
    const ws = madeWorkspace('template-update');
    const repo = join(ws, 'acme-gitops');
    // The team's edits: one on the line the release changes, one elsewhere.
    const readme = join(repo, 'README.md');
    writeFileSync(
      readme,
      readFileSync(readme, 'utf8').replace(NOW_LINE, 'Our words: the desired state of every workload of'),
    );
    const values = join(repo, 'environments', 'dev', 'api.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('replicaCount: 1', 'replicaCount: 2'));
    commitAll(repo, 'team edits');
    const gh = github(ws, 'acme-gitops', SECRET_TOKEN);
    const branch = 'gitops-platform/template-update';
    const title = `chore: generator-gitops-platform templates ${generatorId.version} -> ${NEWER}`;

    // First run: the branch pushed with one commit, a pull request opened.
    const first = gh.checkout();
    const { result, outputs, body } = update(first, ['--pull-request'], gh.env);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(outputs, { changed: 'true', title, conflicts: '1' });
    assert.equal(git(gh.origin, 'rev-list', '--count', `main..${branch}`), '1');
    assert.equal(
      git(gh.origin, 'log', '-1', '--format=%s|%ae', branch),
      `${title}|41898282+github-actions[bot]@users.noreply.github.com`,
    );
    assert.equal(git(first, 'status', '--porcelain'), '');
    const show = (path: string) => git(gh.origin, 'show', `${branch}:${path}`);
    assert.match(
      show('README.md'),
      /^<<<<<<< .*\nOur words: the desired state of every workload of[\s\S]*?\n=======\n[\s\S]*?The desired state, in git, of every Kubernetes workload of[\s\S]*?\n>>>>>>> /m,
    );
    assert.match(show('environments/dev/api.yaml'), /^replicaCount: 2$/m, 'a hand edit elsewhere is kept');
    assert.equal(JSON.parse(show('.yo-rc.json'))['generator-gitops-platform'].version, NEWER);
    assert.match(show('.github/workflows/template-update.yaml'), new RegExp(`^${NEWER_WORKFLOW_LINE}`, 'm'));
    const [setup, list, create] = gh.calls();
    assert.equal(setup, 'auth setup-git');
    assert.equal(list, `pr list --head ${branch} --state open --json number --jq length`);
    assert.match(
      create,
      new RegExp(`^pr create --head ${branch} --title ${title.replaceAll('.', '\\.')} --body-file \\S+$`),
    );
    // The body: the versions, the actions, the conflict to resolve.
    assert.match(
      body,
      new RegExp(
        `templates of generator-gitops-platform ${NEWER.replaceAll('.', '\\.')} into this repository \\(last generated or upgraded with ${generatorId.version.replaceAll('.', '\\.')}\\)`,
      ),
    );
    assert.match(body, /^\| conflict \| 1 \|$/m);
    assert.match(body, /### 1 conflict\(s\) to resolve before merging[\s\S]*^- `README\.md`$/m);
    assert.match(body, /Nothing here is merged by itself/);

    // A week later, not merged yet: the branch is made again, the open pull request updated.
    const second = update(gh.checkout(), ['--pull-request'], gh.env);
    assert.equal(second.result.status, 0, second.result.stderr);
    assert.equal(git(gh.origin, 'rev-list', '--count', `main..${branch}`), '1');
    assert.match(gh.calls().at(-1) ?? '', new RegExp(`^pr edit ${branch} --title `));

    // Someone pushes to the branch while a run is between reading it and pushing: that run fails,
    // and their commit stays.
    const racer = gh.checkout();
    git(racer, 'switch', '--quiet', branch);
    writeFileSync(join(racer, 'NOTES.md'), 'resolving\n');
    commitAll(racer, 'Start resolving');
    const theirs = git(racer, 'rev-parse', 'HEAD');
    gh.meanwhile(`git -C ${JSON.stringify(racer)} push --quiet origin ${branch}\n`);
    const raced = update(gh.checkout(), ['--pull-request'], gh.env);
    assert.equal(raced.result.status, 1, raced.result.stdout);
    assert.match(raced.result.stderr, /stale info|rejected/);
    assert.equal(git(gh.origin, 'rev-parse', branch), theirs);

    // Someone resolves the conflict on the branch: the next run leaves it alone.
    const person = gh.checkout();
    git(person, 'switch', '--quiet', branch);
    const resolved = readFileSync(join(person, 'README.md'), 'utf8').replace(
      /^<<<<<<< .*\n([\s\S]*?)=======\n[\s\S]*?>>>>>>> .*\n/m,
      '$1',
    );
    writeFileSync(join(person, 'README.md'), resolved);
    commitAll(person, 'Resolve the template update conflict');
    git(person, 'push', '--quiet', 'origin', branch);
    const tip = git(gh.origin, 'rev-parse', branch);
    const calls = gh.calls().length;
    const third = update(gh.checkout(), ['--pull-request'], gh.env);
    assert.equal(third.result.status, 0, third.result.stderr);
    assert.match(third.result.stdout, /has commits of people \(t@example\.com\); left alone/);
    assert.equal(git(gh.origin, 'rev-parse', branch), tip);
    assert.equal(gh.calls().length, calls, 'no pull request call');

    // Merged: the next run has nothing to propose.
    const merger = gh.checkout();
    git(
      merger,
      '-c',
      'user.email=t@example.com',
      '-c',
      'user.name=t',
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      'Merge the template update',
      `origin/${branch}`,
    );
    git(merger, 'push', '--quiet', 'origin', 'main');
    const again = update(gh.checkout(), ['--pull-request'], gh.env);
    assert.equal(again.result.status, 0, again.result.stderr);
    assert.deepEqual(again.outputs, { changed: 'false' });
    assert.match(
      again.result.stdout,
      new RegExp(`up to date with generator-gitops-platform ${NEWER.replaceAll('.', '\\.')}`),
    );
  });

  it("--pull-request with the workflow's own token: an update of a workflow file is refused by GitHub, and the run names the secret to set", () => {
    const ws = madeWorkspace('template-update-token');
    const gh = github(ws, 'api', WORKFLOW_TOKEN);
    const { result } = update(gh.checkout(), ['--pull-request'], gh.env);
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /without 'workflows' permission/);
    assert.match(
      result.stderr,
      /template-update: the push was refused; this update changes files in \.github\/workflows, .* set the secret TEMPLATE_UPDATE_TOKEN of the environment template-update/,
    );
    assert.equal(git(gh.origin, 'branch', '--list', 'gitops-platform/template-update'), '');
    assert.deepEqual(gh.calls(), ['auth setup-git'], 'no pull request call');
  });

  it('refuses a dirty work tree and reports a failed upgrade, changing nothing', () => {
    const ws = madeWorkspace('template-update-refusals');
    const repo = join(ws, 'api');
    writeFileSync(join(repo, 'scratch.txt'), 'x');
    const dirty = update(repo);
    assert.equal(dirty.result.status, 1);
    assert.match(dirty.result.stderr, /the work tree has uncommitted changes/);
    rmSync(join(repo, 'scratch.txt'));
    // A corrupt manifest: upgrade refuses, the script says so and fails.
    writeFileSync(join(repo, '.gitops-platform', 'manifest.json'), '{');
    commitAll(repo, 'broken');
    const failed = update(repo);
    assert.equal(failed.result.status, 1);
    assert.match(failed.result.stderr, /gitops-platform upgrade failed \(exit 1\)/);
    assert.deepEqual(failed.outputs, {});
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });

  it('every repo runs it weekly and on demand, and only proposes: write access to its branch and pull request, nothing merged, no third-party action', () => {
    const ws = madeWorkspace('template-update-workflow');
    for (const name of ['acme-infra', 'acme-gitops', 'api']) {
      const workflow = parse(readFileSync(join(ws, name, '.github', 'workflows', 'template-update.yaml'), 'utf8'));
      assert.deepEqual(Object.keys(workflow.on), ['schedule', 'workflow_dispatch'], name);
      assert.deepEqual(workflow.permissions, {}, name);
      const job = workflow.jobs.update;
      assert.deepEqual(job.permissions, { contents: 'write', 'pull-requests': 'write' }, name);
      // The token's secret is readable from this job's environment only.
      assert.equal(job.environment, 'template-update', name);
      const steps = job.steps as {
        uses?: string;
        run?: string;
        with?: Record<string, unknown>;
        env?: Record<string, string>;
      }[];
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
      assert.deepEqual(checkout?.with, { 'fetch-depth': 0, 'persist-credentials': false }, name);
      // The script opens the pull request itself (git and gh), with the secret's token or the job's: no third-party action.
      const script = steps.find((s) => s.run === 'scripts/template-update.sh --pull-request');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal ${{ }} of a workflow.
      const token = '${{ secrets.TEMPLATE_UPDATE_TOKEN || github.token }}';
      assert.deepEqual(script?.env, { GH_TOKEN: token }, name);
      assert.deepEqual(
        steps.map((s) => s.uses?.split('@')[0]).filter(Boolean),
        ['actions/checkout', 'actions/setup-node'],
        name,
      );
      // Nothing merges: no merge, no auto-merge anywhere in the workflow or the script.
      assert.equal(JSON.stringify(workflow).includes('merge'), false, name);
      const text = readFileSync(join(ws, name, 'scripts', 'template-update.sh'), 'utf8');
      assert.doesNotMatch(text.replace(/^#.*$/gm, ''), /\bgh pr merge\b|--auto\b|\bgit merge\b/, name);
    }
  });
});

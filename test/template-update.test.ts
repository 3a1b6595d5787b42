/**
 * Template updates as pull requests, end to end: a package tarball from `npm pack` stands in for
 * the newest published release (this package with a higher version and one template changed). The
 * generated repo's own scripts/template-update.sh runs it with npm exec, as its scheduled workflow
 * does: the upgrade lands staged in the work tree, conflicts marked in their files and listed in
 * the pull request body, hand edits kept; a repo already on that release has nothing to propose.
 * The workflow around it (schedule, permissions, create-pull-request) is checked as GitHub reads it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      const file = join(templates, 'gitops', 'README.md.ejs');
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes(NOW_LINE));
      writeFileSync(file, text.replace(NOW_LINE, NEWER_LINE));
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

  function update(repo: string) {
    const work = tempDir('template-update-run');
    const output = join(work, 'github-output');
    const body = join(work, 'body.md');
    writeFileSync(output, '');
    const result = spawnSync('bash', [join(repo, 'scripts', 'template-update.sh')], {
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

  it('stages the newest release in the repo: conflicts marked and listed, hand edits kept; then nothing to propose', () => {
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

    const { result, outputs, body } = update(repo);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(outputs, {
      changed: 'true',
      title: `chore: generator-gitops-platform templates ${generatorId.version} -> ${NEWER}`,
      conflicts: '1',
    });
    // Staged, nothing unmerged left in the index (the markers are in the file, as the PR shows them).
    assert.equal(git(repo, 'ls-files', '--unmerged'), '');
    assert.equal(git(repo, 'diff', '--name-only'), '');
    const staged = git(repo, 'diff', '--cached', '--name-only').split('\n');
    assert.ok(staged.includes('README.md') && staged.includes('.yo-rc.json'), staged.join(', '));
    const merged = readFileSync(readme, 'utf8');
    assert.match(
      merged,
      /^<<<<<<< .*\nOur words: the desired state of every workload of[\s\S]*?\n=======\n[\s\S]*?The desired state, in git, of every Kubernetes workload of[\s\S]*?\n>>>>>>> /m,
    );
    assert.match(readFileSync(values, 'utf8'), /^replicaCount: 2$/m, 'a hand edit elsewhere is kept');
    assert.equal(
      JSON.parse(readFileSync(join(repo, '.yo-rc.json'), 'utf8'))['generator-gitops-platform'].version,
      NEWER,
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

    // The pull request merged (conflict resolved as the team chooses): the next run proposes nothing.
    writeFileSync(readme, merged.replace(/^<<<<<<< .*\n([\s\S]*?)=======\n[\s\S]*?>>>>>>> .*\n/m, '$1'));
    commitAll(repo, 'Merge the template update');
    const again = update(repo);
    assert.equal(again.result.status, 0, again.result.stderr);
    assert.deepEqual(again.outputs, { changed: 'false' });
    assert.match(
      again.result.stdout,
      new RegExp(`up to date with generator-gitops-platform ${NEWER.replaceAll('.', '\\.')}`),
    );
    assert.equal(git(repo, 'status', '--porcelain'), '');
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

  it('every repo runs it weekly and on demand, and only proposes: write access to its branch and pull request, nothing merged', () => {
    const ws = madeWorkspace('template-update-workflow');
    for (const name of ['acme-infra', 'acme-gitops', 'api']) {
      const workflow = parse(readFileSync(join(ws, name, '.github', 'workflows', 'template-update.yaml'), 'utf8'));
      assert.deepEqual(Object.keys(workflow.on), ['schedule', 'workflow_dispatch'], name);
      assert.deepEqual(workflow.permissions, {}, name);
      const job = workflow.jobs.update;
      assert.deepEqual(job.permissions, { contents: 'write', 'pull-requests': 'write' }, name);
      const steps = job.steps as { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[];
      assert.equal(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['persist-credentials'], false);
      assert.ok(
        steps.some((s) => s.run === 'scripts/template-update.sh'),
        name,
      );
      const pr = steps.find((s) => s.uses?.startsWith('peter-evans/create-pull-request@'));
      assert.equal(pr?.if, "steps.upgrade.outputs.changed == 'true'");
      assert.equal(pr?.with?.branch, 'gitops-platform/template-update');
      // No auto-merge anywhere: the action only opens or updates the pull request.
      assert.equal(JSON.stringify(workflow).includes('merge'), false, name);
    }
  });
});

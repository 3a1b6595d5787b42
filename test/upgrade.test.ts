/**
 * upgrade, scenario by scenario, with two template versions and no network: "older" renders are
 * the current renderer's output with known differences (a changed line, a file the new version
 * dropped, a renamed file), so every difference between base and theirs is known to the test.
 * The last block runs the real bin against a test-only older package in the version cache.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PlatformAnswers, ServiceAnswers } from '../generators/lib/answers/table.ts';
import { buildModel } from '../generators/lib/model.ts';
import type { RenderedFile } from '../generators/lib/render/render.ts';
import { createRepos } from '../generators/lib/repos/create.ts';
import { workTree } from '../generators/lib/repos/files.ts';
import { freshStateFiles, readRepoState, YO_RC } from '../generators/lib/repos/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import { applyUpgrades, planUpgrades, type Replay, type RepoUpgrade } from '../generators/upgrade/plan.ts';
import { type ReplayRequest, type ReplayResponse, replayHere } from '../generators/upgrade/replay.ts';
import { tempDir } from './support/temp.ts';
import { olderVersion } from './support/versions.ts';
import { answersFor, readTree, repoRoot, workspaceState } from './support/workspace.ts';

const OLD = '0.0.9';
const README_NOW = (content: string) => content.split('\n')[0];
/** The older version's GitOps README had another first line; everything else the same. */
const OLD_TITLE = '# previous title';
const DROPPED = 'docs/runbook.md';
const RENAMED_NOW = 'scripts/validate.sh';
const RENAMED_OLD = 'scripts/check.sh';

/** What the older version rendered: today's files with the known differences. */
function olderRender(requests: ReplayRequest[]): ReplayResponse {
  const now = replayHere(requests);
  return {
    version: OLD,
    results: now.results.map((result, n) => {
      if (requests[n].kind !== 'gitops') return result;
      const files: RenderedFile[] = result.files
        .map((f) => (f.path === 'README.md' ? { ...f, content: f.content.replace(/^.*\n/, `${OLD_TITLE}\n`) } : f))
        .map((f) => (f.path === RENAMED_NOW ? { ...f, path: RENAMED_OLD } : f));
      files.push({ path: DROPPED, content: '# Runbook\n\nPage the platform team.\n', policy: 'merge' });
      return { files: files.sort((a, b) => (a.path < b.path ? -1 : 1)) };
    }),
  };
}

/** The current version, with the rename declared as the file table would. */
function currentRender(requests: ReplayRequest[]): ReplayResponse {
  const now = replayHere(requests);
  return {
    ...now,
    results: now.results.map((r) => ({
      files: r.files.map((f) => (f.path === RENAMED_NOW ? { ...f, renamedFrom: RENAMED_OLD } : f)),
    })),
  };
}

/** A workspace as the older version wrote it (three repos, one commit each, recorded as OLD). */
async function oldWorkspace(): Promise<{ ws: string; platform: PlatformAnswers; services: ServiceAnswers[] }> {
  const ws = tempDir('upgrade');
  const { platform, service } = answersFor('minimal');
  const services = [service];
  const model = buildModel(platform, services, { name: generatorId.name, version: OLD });
  const kinds = [
    { kind: 'infra', name: model.repos.infra.name },
    { kind: 'gitops', name: model.repos.gitops.name },
    { kind: 'app', name: service.name, service: service.name },
  ] as const;
  const old = olderRender(
    kinds.map((k) => ({ kind: k.kind, service: 'service' in k ? k.service : undefined, answers: platform, services })),
  );
  await createRepos(
    ws,
    kinds.map((k, n) => {
      const rendered = {
        repo: { kind: k.kind, name: k.name, fullName: '', url: '' },
        service: 'service' in k ? k.service : undefined,
        files: old.results[n].files,
      };
      return {
        name: k.name,
        files: [...rendered.files, ...freshStateFiles(rendered, platform, services, OLD)],
        commitMessage: 'old',
      };
    }),
    { git: true },
  );
  return { ws, platform, services };
}

const git = (dir: string, ...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 10_000 });

function commitAll(dir: string, message: string) {
  assert.equal(git(dir, 'add', '-A').status, 0);
  assert.equal(git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message).status, 0);
}

const replayOlder: Replay = (version, requests) => (version === OLD ? olderRender(requests) : replayHere(requests));

function plansFor(ws: string, overrides: Partial<PlatformAnswers> = {}, replay: Replay = replayOlder): RepoUpgrade[] {
  const repos = readdirSync(ws)
    .filter((e) => existsSync(join(ws, e, YO_RC)))
    .sort()
    .map((e) => ({
      dir: join(ws, e),
      state: readRepoState(join(ws, e)) as NonNullable<ReturnType<typeof readRepoState>>,
      read: workTree(join(ws, e)),
    }));
  return planUpgrades(
    repos.map((repo) => {
      const answers = repo.state.answers;
      const services = repo.state.services;
      return { repo, recorded: { answers, services }, target: { ...answers, ...overrides } };
    }),
    replay,
    currentRender,
  );
}

const gitops = (ws: string) => join(ws, 'acme-gitops');

/** Tree of a fresh `new` with this version (what an untouched repo must become). */
async function freshTree(overrides: Partial<PlatformAnswers> = {}) {
  const ws = tempDir('fresh');
  const { platform, service } = answersFor('minimal');
  const target = { ...platform, ...overrides };
  const model = buildModel(target, [service], generatorId);
  const renders = [
    { kind: 'infra' as const, name: model.repos.infra.name },
    { kind: 'gitops' as const, name: model.repos.gitops.name },
    { kind: 'app' as const, name: service.name, service: service.name },
  ].map((k) => {
    const files = currentRender([{ kind: k.kind, service: k.service, answers: target, services: [service] }]).results[0]
      .files;
    const rendered = { repo: { kind: k.kind, name: k.name, fullName: '', url: '' }, service: k.service, files };
    return {
      name: k.name,
      files: [...files, ...freshStateFiles(rendered, target, [service], generatorId.version)],
      commitMessage: 'fresh',
    };
  });
  await createRepos(ws, renders, { git: false });
  return readTree(ws);
}

function withoutGit(ws: string) {
  return readTree(ws, (p) => p.endsWith('.git'));
}

describe('upgrade (lib): versions', () => {
  const { platform } = answersFor('minimal');
  const input = (version: string) => {
    const dir = tempDir('versions');
    return {
      repo: {
        dir,
        state: { format: 2, version, repo: 'gitops' as const, answers: platform, services: [] },
        read: workTree(dir),
      },
      recorded: { answers: platform, services: [] },
      target: platform,
    };
  };
  const current = (version: string) => (requests: ReplayRequest[]) => ({
    version,
    results: requests.map(() => ({ files: [] })),
  });

  it('compares versions as semver: 1.0.0-rc.10 is newer than 1.0.0-rc.9 (text order says otherwise)', () => {
    assert.throws(
      () => planUpgrades([input('1.0.0-rc.10')], replayOlder, current('1.0.0-rc.9')),
      /written by generator-gitops-platform 1\.0\.0-rc\.10: this is 1\.0\.0-rc\.9, older/,
    );
    const [plan] = planUpgrades([input('1.0.0-rc.9')], replayOlder, current('1.0.0-rc.10'));
    assert.equal(plan.toVersion, '1.0.0-rc.10');
  });
});

describe('upgrade (lib): one scenario each', () => {
  it('an untouched workspace upgrades to exactly what a fresh new of this version writes', async () => {
    const { ws } = await oldWorkspace();
    const plans = plansFor(ws);
    assert.ok(plans.every((p) => p.mode === 'three-way'));
    await applyUpgrades(plans, { commit: false });
    const expected = await freshTree();
    const actual = withoutGit(ws);
    assert.deepEqual([...actual.keys()], [...expected.keys()]);
    for (const [path, content] of expected) assert.equal(actual.get(path)?.toString(), content.toString(), path);
    const change = plans.find((p) => p.repo.dir === gitops(ws))?.changes ?? [];
    assert.deepEqual(
      change.map((c) => `${c.action} ${c.path}`),
      ['updated README.md', `removed ${DROPPED}`, `updated ${RENAMED_NOW}`],
    );
  });

  it('a user edit in one place of a file the template changed elsewhere merges cleanly', async () => {
    const { ws } = await oldWorkspace();
    const readme = join(gitops(ws), 'README.md');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\n## Our on-call\n\nSee the wiki.\n`);
    commitAll(gitops(ws), 'our notes');
    const plans = plansFor(ws);
    await applyUpgrades(plans, { commit: false });
    const after = readFileSync(readme, 'utf8');
    assert.notEqual(README_NOW(after), OLD_TITLE, 'the template change arrived');
    assert.match(after, /## Our on-call\n\nSee the wiki\.\n$/, 'the user edit stayed');
    assert.equal(
      plans.find((p) => p.repo.dir === gitops(ws))?.changes.find((c) => c.path === 'README.md')?.action,
      'merged',
    );
  });

  it('overlapping edits leave markers, an unmerged index entry, and the user text', async () => {
    const { ws } = await oldWorkspace();
    const readme = join(gitops(ws), 'README.md');
    writeFileSync(readme, readFileSync(readme, 'utf8').replace(OLD_TITLE, '# Our platform, our title'));
    commitAll(gitops(ws), 'our title');
    const plans = plansFor(ws);
    await applyUpgrades(plans, { commit: false });
    const after = readFileSync(readme, 'utf8');
    assert.match(
      after,
      /^<<<<<<< yours\n# Our platform, our title\n\|\|\|\|\|\|\| generated before\n# previous title\n=======\n/,
    );
    assert.match(git(gitops(ws), 'status', '--porcelain').stdout, /^UU README\.md$/m);
    assert.equal(git(gitops(ws), 'ls-files', '-u', 'README.md').stdout.trim().split('\n').length, 3);
  });

  it('a file the user deleted stays deleted', async () => {
    const { ws } = await oldWorkspace();
    unlinkSync(join(gitops(ws), 'README.md'));
    commitAll(gitops(ws), 'no readme');
    const plans = plansFor(ws);
    await applyUpgrades(plans, { commit: false });
    assert.equal(existsSync(join(gitops(ws), 'README.md')), false);
    assert.ok(plans.some((p) => p.changes.some((c) => c.path === 'README.md' && c.action === 'kept deleted')));
  });

  it('a file the templates dropped is removed only if unchanged', async () => {
    const untouched = (await oldWorkspace()).ws;
    await applyUpgrades(plansFor(untouched), { commit: false });
    assert.equal(existsSync(join(gitops(untouched), DROPPED)), false);

    const { ws } = await oldWorkspace();
    writeFileSync(join(gitops(ws), DROPPED), '# Runbook\n\nPage the platform team, then call Dana.\n');
    commitAll(gitops(ws), 'runbook');
    const plans = plansFor(ws);
    await applyUpgrades(plans, { commit: false });
    assert.equal(
      readFileSync(join(gitops(ws), DROPPED), 'utf8'),
      '# Runbook\n\nPage the platform team, then call Dana.\n',
    );
    assert.ok(plans.some((p) => p.changes.some((c) => c.path === DROPPED && c.action === 'kept')));
  });

  it('a renamed file moves and keeps the user edits', async () => {
    const { ws } = await oldWorkspace();
    const old = join(gitops(ws), RENAMED_OLD);
    writeFileSync(old, `${readFileSync(old, 'utf8')}# local addition: keep\n`);
    commitAll(gitops(ws), 'local addition');
    await applyUpgrades(plansFor(ws), { commit: false });
    assert.equal(existsSync(old), false);
    assert.match(readFileSync(join(gitops(ws), RENAMED_NOW), 'utf8'), /# local addition: keep\n$/);
  });

  it('a changed answer (Kubernetes version) reaches every file that uses it', async () => {
    const { ws } = await oldWorkspace();
    const plans = plansFor(ws, { kubernetesVersion: '1.35' });
    await applyUpgrades(plans, { commit: false });
    const expected = await freshTree({ kubernetesVersion: '1.35' });
    const actual = withoutGit(ws);
    for (const [path, content] of expected) assert.ok(content.equals(actual.get(path) as Buffer), path);
    const state = readRepoState(join(ws, 'acme-infra'));
    assert.equal(state?.answers.kubernetesVersion, '1.35');
    assert.equal(state?.version, generatorId.version);
  });

  it('a Kubernetes version for one environment changes that environment alone', async () => {
    const { ws } = await oldWorkspace();
    // What the answer changes on top of the version upgrade: the old workspace gets that one anyway.
    const changes = (plans: RepoUpgrade[]) =>
      new Map(plans.flatMap((p) => p.changes.map((c) => [`${basename(p.repo.dir)}/${c.path}`, JSON.stringify(c)])));
    const versionOnly = changes(plansFor(ws));
    const plans = plansFor(ws, { kubernetesVersions: { dev: '1.35' } });
    const changed = [...changes(plans)].filter(([path, change]) => versionOnly.get(path) !== change).map(([p]) => p);
    assert.deepEqual(
      changed.filter((path) => !path.endsWith(YO_RC)),
      ['acme-infra/README.md', 'acme-infra/environments/dev/main.tf'],
    );
    await applyUpgrades(plans, { commit: false });
    const version = (env: string) =>
      /kubernetes_version = "([\d.]+)"/.exec(
        readFileSync(join(ws, 'acme-infra', 'environments', env, 'main.tf'), 'utf8'),
      )?.[1];
    assert.deepEqual([version('dev'), version('prod')], ['1.35', '1.34']);
    assert.deepEqual(readRepoState(join(ws, 'acme-gitops'))?.answers.kubernetesVersions, { dev: '1.35' });
  });

  it('refuses a dirty tree and writes nothing', async () => {
    const { ws } = await oldWorkspace();
    writeFileSync(join(gitops(ws), 'wip.txt'), 'wip\n');
    const before = workspaceState(ws);
    await assert.rejects(() => applyUpgrades(plansFor(ws), { commit: false }), /acme-gitops has uncommitted changes/);
    assert.deepEqual(workspaceState(ws), before);
  });

  it('a failure part-way leaves every repo exactly as it was (files, index, state)', async () => {
    const { ws } = await oldWorkspace();
    const before = withoutGit(ws);
    const heads = ['acme-infra', 'acme-gitops', 'api'].map((r) => git(join(ws, r), 'rev-parse', 'HEAD').stdout);
    const plans = plansFor(ws);
    // The last repo's last write cannot happen: a file stands where a folder would be needed.
    const last = plans.at(-1) as RepoUpgrade;
    last.changes.push({ path: `${YO_RC}/impossible`, action: 'added', content: 'x' });
    await assert.rejects(() => applyUpgrades(plans, { commit: false }), /EEXIST|ENOTDIR/);
    const after = withoutGit(ws);
    assert.deepEqual([...after.keys()], [...before.keys()]);
    for (const [path, content] of before) assert.ok(content.equals(after.get(path) as Buffer), path);
    for (const [i, r] of ['acme-infra', 'acme-gitops', 'api'].entries()) {
      assert.equal(git(join(ws, r), 'rev-parse', 'HEAD').stdout, heads[i]);
      assert.equal(git(join(ws, r), 'status', '--porcelain').stdout, '', r);
    }
  });

  it('without a base (older version unavailable) updates untouched files and reports the others', async () => {
    const { ws } = await oldWorkspace();
    const readme = join(gitops(ws), 'README.md');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}mine\n`);
    commitAll(gitops(ws), 'mine');
    const plans = plansFor(ws, {}, () => ({ unavailable: 'offline in this test' }));
    const plan = plans.find((p) => p.repo.dir === gitops(ws)) as RepoUpgrade;
    assert.equal(plan.mode, 'manifest-only');
    await applyUpgrades(plans, { commit: false });
    assert.ok(plan.changes.some((c) => c.path === 'README.md' && c.action === 'conflict'));
    assert.match(readFileSync(readme, 'utf8'), /mine\n$/, 'left as it is');
    assert.doesNotMatch(readFileSync(readme, 'utf8'), /<<<<<<</);
    assert.equal(existsSync(join(gitops(ws), DROPPED)), false, 'an untouched dropped file is still removed');
  });
});

/** The one template line the fixture's older version words differently. */
const NOW_LINE = 'The desired state of every Kubernetes workload of';
const OLDER_LINE = 'The desired state of all the workloads of';

describe('upgrade (lib): what it refuses, and what it keeps reporting', () => {
  it('refuses repos written by a newer version (no downgrade), writing nothing', async () => {
    const { ws } = await oldWorkspace();
    const file = join(ws, 'acme-gitops', YO_RC);
    writeFileSync(file, readFileSync(file, 'utf8').replace(`"version": "${OLD}"`, '"version": "99.0.0"'));
    commitAll(gitops(ws), 'from the future');
    const before = workspaceState(ws);
    assert.throws(() => plansFor(ws), /written by generator-gitops-platform 99\.0\.0.*older/);
    assert.deepEqual(workspaceState(ws), before);
  });

  it('without a base, a file left as it is keeps the old manifest entry and version until it is brought in line', async () => {
    const { ws } = await oldWorkspace();
    const readme = join(gitops(ws), 'README.md');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}mine\n`);
    commitAll(gitops(ws), 'mine');
    const offline: Replay = () => ({ unavailable: 'offline in this test' });
    await applyUpgrades(plansFor(ws, {}, offline), { commit: false });
    assert.equal(readRepoState(gitops(ws))?.version, OLD, 'not recorded as upgraded');
    commitAll(gitops(ws), 'partial upgrade');
    const again = plansFor(ws, {}, offline).find((p) => p.repo.dir === gitops(ws)) as RepoUpgrade;
    assert.deepEqual(
      again.changes.filter((c) => c.action === 'conflict').map((c) => c.path),
      ['README.md'],
      'reported again, not called up to date',
    );
  });
});

describe('upgrade (bin): the recorded version replayed in its own process', () => {
  const bin = join(repoRoot, 'bin', 'gitops-platform.js');
  let fixture: ReturnType<typeof olderVersion>;
  before(async () => {
    if (!existsSync(join(repoRoot, 'dist', 'cli.cjs'))) throw new Error('run npm run build first (npm test does)');
    fixture = olderVersion('0.0.8', (templates) => {
      const file = join(templates, 'gitops', 'README.md.ejs');
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes(NOW_LINE));
      writeFileSync(file, text.replace(NOW_LINE, OLDER_LINE));
    });
  });
  const env = () => ({ ...process.env, GITOPS_PLATFORM_VERSIONS: fixture.cache, GITOPS_PLATFORM_OFFLINE: '1' });
  const run = (args: string[], cwd: string, bin_ = bin) =>
    spawnSync(process.execPath, [bin_, ...args], { cwd, encoding: 'utf8', env: env(), input: '', timeout: 60_000 });

  function oldPlatform(): string {
    const ws = tempDir('upgrade-bin');
    const made = run(['new', '--defaults', '--skip-install'], ws, fixture.bin);
    assert.equal(made.status, 0, made.stderr);
    assert.equal(readRepoState(gitops(ws))?.version, '0.0.8');
    return ws;
  }

  it('refuses --org and answers that break a rule across answers, writing nothing', async () => {
    const ws = oldPlatform();
    const before = workspaceState(ws);
    const org = run(['upgrade', '--org', 'globex'], ws);
    assert.equal(org.status, 1);
    assert.match(org.stderr, /upgrade does not take --org \(org names the repos/);
    const accounts = run(['upgrade', '--accounts', 'prod=222222222222', '--environments', 'dev,staging'], ws);
    assert.equal(accounts.status, 1);
    assert.match(accounts.stderr, /accounts: "prod" names an environment that is not in environments/);
    assert.deepEqual(workspaceState(ws), before);
  });

  it('--check and --dry-run exit 2 and write nothing; the state stays at the old version', async () => {
    const ws = oldPlatform();
    const before = workspaceState(ws);
    for (const flag of ['--check', '--dry-run']) {
      const result = run(['upgrade', flag], ws);
      assert.equal(result.status, 2, result.stderr);
      assert.match(`${result.stdout}${result.stderr}`, /acme-gitops +0\.0\.8 -> \S+ +1 /);
    }
    assert.deepEqual(workspaceState(ws), before);
  });

  it('applies cleanly (exit 0) with the edits kept, then has nothing to do', async () => {
    const ws = oldPlatform();
    const values = join(gitops(ws), 'charts', 'api', 'values.yaml');
    writeFileSync(values, `${readFileSync(values, 'utf8')}# tuned by us\n`);
    commitAll(gitops(ws), 'tune');
    const result = run(['upgrade', '--commit'], ws);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    const readme = readFileSync(join(gitops(ws), 'README.md'), 'utf8');
    assert.ok(readme.includes(NOW_LINE) && !readme.includes(OLDER_LINE));
    assert.match(readFileSync(values, 'utf8'), /# tuned by us\n$/);
    assert.equal(git(gitops(ws), 'status', '--porcelain').stdout, '');
    assert.match(git(gitops(ws), 'log', '-1', '--format=%s').stdout, /^chore: upgrade to generator-gitops-platform /);
    assert.equal(run(['upgrade', '--check'], ws).status, 0);
  });

  it('inside one repo, conflicts exit 3 and --commit is refused while they remain', async () => {
    const ws = oldPlatform();
    const readme = join(gitops(ws), 'README.md');
    writeFileSync(readme, readFileSync(readme, 'utf8').replace(OLDER_LINE, 'What we run, described by'));
    commitAll(gitops(ws), 'ours');
    const refused = run(['upgrade', '--commit'], gitops(ws));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /Refusing to commit/);
    assert.equal(git(gitops(ws), 'status', '--porcelain').stdout, '');
    const result = run(['upgrade'], gitops(ws));
    assert.equal(result.status, 3, `${result.stdout}${result.stderr}`);
    assert.match(git(gitops(ws), 'status', '--porcelain').stdout, /^UU README\.md$/m);
    // Only the GitOps repo was touched.
    assert.equal(readRepoState(join(ws, 'acme-infra'))?.version, '0.0.8');
    rmSync(ws, { recursive: true, force: true });
  });
});

/**
 * Versioned state: `.yo-rc.json` carries its format, and state written by older versions is
 * migrated before it is validated. The end-to-end case is a workspace in the oldest published
 * layout (0.1.0 wrote no `format`), which upgrade must read and bring to today's format.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrateState, STATE_FORMAT } from '../generators/lib/repos/migrations.ts';
import { PACKAGE_NAME, readManifest, readRepoState, YO_RC } from '../generators/lib/repos/state.ts';
import { tempDir } from './support/temp.ts';
import { runBin } from './support/workspace.ts';

const cli = (cwd: string, ...args: string[]) => runBin(cwd, args);

function git(cwd: string, ...args: string[]) {
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

const REPOS = ['acme-infra', 'acme-gitops', 'api'];

/** Rewrites each repo's `.yo-rc.json` state with `edit` and commits it. */
function editState(ws: string, edit: (state: Record<string, unknown>) => void): void {
  for (const repo of REPOS) {
    const file = join(ws, repo, YO_RC);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    edit(json[PACKAGE_NAME]);
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    git(join(ws, repo), 'commit', '--quiet', '-am', 'edit state');
  }
}

function newWorkspace(): string {
  const ws = tempDir('migrate');
  const result = cli(ws, 'new', '--defaults', '--skip-install');
  assert.equal(result.status, 0, result.stderr);
  return ws;
}

describe('state format and migrations', () => {
  it(`writes the state format (${STATE_FORMAT}) into every repo's .yo-rc.json`, () => {
    const ws = newWorkspace();
    for (const repo of REPOS) assert.equal(readRepoState(join(ws, repo))?.format, STATE_FORMAT, repo);
  });

  it('migrates format 1 (0.1.0, no format field) and keeps everything else', () => {
    const old = {
      version: '0.1.0',
      repo: 'gitops',
      answers: { org: 'acme', environments: ['dev', 'prod'] },
      services: [{ name: 'api', port: 8080 }],
    };
    assert.deepEqual(migrateState(old, 'x'), {
      ...old,
      format: STATE_FORMAT,
      answers: { ...old.answers, vpcCidrs: { dev: '10.10.0.0/16', prod: '10.11.0.0/16' } },
    });
  });

  it('migrates format 2 by recording the CIDRs its VPCs were made with (10.(10 + position)), and keeps recorded ones', () => {
    const answers = { org: 'acme', environments: ['dev', 'staging', 'prod'] };
    assert.deepEqual((migrateState({ format: 2, answers }, 'x').answers as Record<string, unknown>).vpcCidrs, {
      dev: '10.10.0.0/16',
      staging: '10.11.0.0/16',
      prod: '10.12.0.0/16',
    });
    const recorded = { ...answers, vpcCidrs: { dev: '10.20.0.0/16' } };
    assert.deepEqual(
      (migrateState({ format: 2, answers: recorded }, 'x').answers as Record<string, unknown>).vpcCidrs,
      {
        dev: '10.20.0.0/16',
      },
    );
  });

  it('refuses state written by a newer format, and a format that is not a positive integer', () => {
    assert.throws(
      () => migrateState({ format: STATE_FORMAT + 1 }, '/r/.yo-rc.json'),
      /written by a newer .*upgrade the generator first/,
    );
    for (const format of [0, -1, 1.5, '2']) {
      assert.throws(
        () => migrateState({ format }, '/r/.yo-rc.json'),
        /"format" must be a positive integer/,
        String(format),
      );
    }
  });

  it('refuses a recorded version that is not a version, naming the file', () => {
    const ws = newWorkspace();
    editState(ws, (state) => {
      state.version = 'latest';
    });
    const result = cli(join(ws, 'acme-gitops'), 'upgrade', '--check');
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /acme-gitops\/\.yo-rc\.json: "version" must be the generator version that wrote it, not "latest"/,
    );
  });

  it('reports a corrupt manifest in one line naming the file, with no stack', () => {
    const ws = newWorkspace();
    const dir = join(ws, 'acme-gitops');
    writeFileSync(join(dir, '.gitops-platform', 'manifest.json'), '{"files": ');
    git(dir, 'commit', '--quiet', '-am', 'break the manifest');
    assert.throws(() => readManifest(dir), /manifest\.json is not valid JSON/);
    const result = cli(ws, 'upgrade', '--check');
    assert.equal(result.status, 1);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.includes('An error occured'));
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /acme-gitops\/\.gitops-platform\/manifest\.json is not valid JSON .*restore it from git/);
  });

  it("upgrades a workspace in the oldest published layout to today's format, with nothing else to change", () => {
    const ws = newWorkspace();
    // 0.1.0's state: no format, and no recorded VPC CIDRs (format 3 added them), so both
    // migrations run.
    editState(ws, (state) => {
      delete state.format;
      delete (state.answers as Record<string, unknown>).vpcCidrs;
    });
    for (const repo of REPOS) {
      const state = JSON.parse(readFileSync(join(ws, repo, YO_RC), 'utf8'))[PACKAGE_NAME];
      assert.equal(state.format, undefined);
      assert.equal(state.answers.vpcCidrs, undefined);
    }
    // Readable (migrated in memory), but the file itself is behind: upgrade has work.
    assert.equal(cli(ws, 'upgrade', '--check').status, 2);
    const upgrade = cli(ws, 'upgrade', '--commit');
    assert.equal(upgrade.status, 0, upgrade.stderr);
    for (const repo of REPOS) {
      const state = JSON.parse(readFileSync(join(ws, repo, YO_RC), 'utf8'))[PACKAGE_NAME];
      assert.equal(state.format, STATE_FORMAT, repo);
      // The CIDRs its VPCs were made with, recorded: the generated files did not change.
      assert.deepEqual(state.answers.vpcCidrs, { dev: '10.10.0.0/16', prod: '10.11.0.0/16' }, repo);
      // Only the state file changed in the upgrade commit.
      assert.equal(git(join(ws, repo), 'diff', '--name-only', 'HEAD~1', 'HEAD').trim(), YO_RC, repo);
    }
    assert.equal(cli(ws, 'upgrade', '--check').status, 0);
  });
});

/**
 * The README's install story, run as written: the quick start's first command and `npx` by name in
 * a copy of the clone (its tracked and new files, without node_modules or dist), as root and as an
 * unprivileged user, and the yo section as that user (yo refuses root). The second quick-start
 * command must be `npm test`, which is what CI runs on a fresh clone anyway.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cannotRun } from './support/skips.ts';
import { tempDir } from './support/temp.ts';
import { repoRoot } from './support/workspace.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The lines of the first ```sh block after a heading. */
function block(heading: string): string[] {
  const from = readme.indexOf(`\n${heading}\n`);
  assert.ok(from >= 0, `README has no "${heading}"`);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(match, `no sh block under "${heading}"`);
  return match[1].trimEnd().split('\n');
}

/** A fresh copy of the clone: what git tracks or would track, nothing built or installed. */
function freshCopy(owner?: string): string {
  const dir = join(tempDir('readme'), 'clone');
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(listed.status, 0, listed.stderr);
  for (const path of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repoRoot, path))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(repoRoot, path), join(dir, path));
  }
  if (owner) spawnSync('chown', ['-R', owner, dirname(dir)], { timeout: 60_000 });
  return dir;
}

/** Runs lines of the README with bash in `cwd`, as root or as `user` (with a home of its own). */
function bash(lines: string[], cwd: string, user?: string) {
  const script = ['set -euo pipefail', ...lines].join('\n');
  // A user's own environment: not the npm_config_* that `npm test` sets (its cache is root's).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  if (!user) {
    return spawnSync('bash', ['-c', script], { cwd, env, encoding: 'utf8', input: '', timeout: 600_000 });
  }
  const home = tempDir('readme-home');
  chmodSync(home, 0o755);
  spawnSync('chown', [user, home]);
  return spawnSync(
    'runuser',
    // Its own temp folder too: the run's (TMPDIR) is not writable by others.
    [
      '-u',
      user,
      '--',
      'env',
      `HOME=${home}`,
      `TMPDIR=${home}`,
      `PATH=${process.env.PATH}`,
      'NO_UPDATE_NOTIFIER=1',
      'bash',
      '-c',
      script,
    ],
    { cwd, env, encoding: 'utf8', input: '', timeout: 600_000 },
  );
}

describe('README, as written', function () {
  this.timeout(900_000);
  const quickStart = block('## Quick start');
  const byName = readme.slice(readme.indexOf('## Quick start')).match(/```sh\n(npx gitops-platform[\s\S]*?)```/)?.[1];

  it('has a two-command quick start: one generates the demo, the other is `npm test`', () => {
    assert.equal(quickStart.length, 2, quickStart.join('\n'));
    assert.match(quickStart[0], /^npm ci && node bin\/gitops-platform\.js new --defaults --output demo +#/);
    assert.match(quickStart[1], /^npm test +#/);
    assert.ok(byName, 'the command by its name (npx) after the quick start');
  });

  const check = (result: ReturnType<typeof bash>, clone: string) => {
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.deepEqual(readdirSync(join(clone, 'demo')).sort(), ['acme-gitops', 'acme-infra', 'api']);
    assert.match(result.stdout, /^0\.\d+\.\d+/m, 'gitops-platform --version');
    assert.match(result.stdout, /Usage: gitops-platform service <name> \[options\]/, 'gitops-platform help service');
  };

  it('quick start and the command by its name, as root', function () {
    if (process.getuid?.() !== 0) this.skip(); // the next test is the normal user's
    const clone = freshCopy();
    check(bash([quickStart[0], ...(byName ?? '').trimEnd().split('\n')], clone), clone);
  });

  it('quick start, the command by its name and the yo section, as a normal user', function () {
    let user: string | undefined;
    if (process.getuid?.() === 0) {
      user = process.env.GITOPS_TEST_USER ?? 'gitops-tester';
      if (spawnSync('id', ['-u', user]).status !== 0) {
        cannotRun(this, 'yo-user', `no non-root user "${user}" (.ci/run creates it; or useradd -m ${user})`);
      }
    }
    const clone = freshCopy(user);
    const run = bash([quickStart[0], ...(byName ?? '').trimEnd().split('\n')], clone, user);
    check(run, clone);
    const yo = block('## Running the yo path');
    // The section ends in a folder of its own: print it, to look inside afterwards.
    const result = bash([...yo, 'echo "scratch=$PWD"'], clone, user);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const scratch = /^scratch=(.+)$/m.exec(result.stdout)?.[1] as string;
    // The section ends in demo/, where it added the service.
    assert.deepEqual(readdirSync(scratch).sort(), ['acme-gitops', 'acme-infra', 'api', 'web']);
    assert.ok(existsSync(join(scratch, 'web', '.git')), 'yo gitops-platform:service web made the app repo');
    assert.match(result.stdout, /--aws-account-id/, 'yo gitops-platform --help');
    spawnSync('rm', ['-rf', dirname(scratch)]);
  });
});

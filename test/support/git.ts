/** git in a test's repos: a command that must succeed (its stdout, trimmed), commit-everything, merge a branch. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Commits every change of the work tree, as a team member would. */
export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message);
}

/** Fast-forwards main of each repo of a workspace to `branch`, as merging their pull requests would. */
export function mergeBranch(ws: string, repos: string[], branch: string): void {
  for (const repo of repos) {
    git(join(ws, repo), 'checkout', '-q', 'main');
    git(join(ws, repo), 'merge', '-q', '--ff-only', branch);
  }
}

/**
 * The few git operations the generators need, run with the git CLI (no library: git itself is
 * required on every machine that uses these repos, and its exit codes are what we rely on).
 */
import { spawnSync } from 'node:child_process';

export class GitError extends Error {
  override name = 'GitError';
}

let identity: string[] | undefined;

/**
 * The user's own identity when git has one; otherwise a neutral generator identity, so a fresh CI
 * machine without `user.email` can still make the initial commits.
 */
function identityArgs(): string[] {
  if (identity) return identity;
  const email = spawnSync('git', ['config', '--get', 'user.email'], { encoding: 'utf8' }).stdout.trim();
  const name = spawnSync('git', ['config', '--get', 'user.name'], { encoding: 'utf8' }).stdout.trim();
  identity = [];
  if (!email) identity.push('-c', 'user.email=gitops-platform@users.noreply.github.com');
  if (!name) identity.push('-c', 'user.name=gitops-platform');
  return identity;
}

export function git(cwd: string, args: string[], input?: string): string {
  const result = spawnSync('git', [...identityArgs(), ...args], { cwd, encoding: 'utf8', input });
  if (result.error) throw new GitError(`git ${args[0]}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}:\n${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}

/** A new repository on `main` with everything in it committed once. */
export function initAndCommit(cwd: string, message: string): void {
  git(cwd, ['init', '--quiet', '--initial-branch=main']);
  git(cwd, ['add', '--all']);
  git(cwd, ['commit', '--quiet', '--no-verify', '-m', message]);
}

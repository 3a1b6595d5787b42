/**
 * The git operations the generators need, run with the git CLI (no library: git itself is required
 * on every machine that uses these repos, and its exit codes are what we rely on). A new repo's
 * initial commit is one `git fast-import` after `git init`, and its index is written here, so
 * `new` runs two git processes per repo instead of an add, a commit and commit's maintenance;
 * `git init` runs while the repo's files are being written.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Interrupted, type InterruptSignal } from '../errors.ts';
import { childSignal } from '../process/interrupt.ts';
import { type FileReader, isExecutable } from './files.ts';

export class GitError extends Error {
  override name = 'GitError';
}

interface Person {
  name: string;
  email: string;
}

let configured: Partial<Person> | undefined;

function parseIdentity(config: string): Partial<Person> {
  const found: Partial<Person> = {};
  for (const line of config.split('\n')) {
    const [key, ...value] = line.split(' ');
    if (key === 'user.name') found.name = value.join(' ');
    if (key === 'user.email') found.email = value.join(' ');
  }
  return found;
}

const IDENTITY_QUERY = ['config', '--get-regexp', '^user\\.(name|email)$'];

/** user.name and user.email from git's configuration, read once with one process. */
function configuredIdentity(): Partial<Person> {
  configured ??= parseIdentity(spawnSync('git', IDENTITY_QUERY, { encoding: 'utf8' }).stdout ?? '');
  return configured;
}

let loading: Promise<void> | undefined;

/** The same, without waiting: `new` reads it (once) while its repos are being initialized. */
function loadIdentity(): Promise<void> {
  if (configured) return Promise.resolve();
  loading ??= new Promise((resolve) => {
    execFile('git', IDENTITY_QUERY, { encoding: 'utf8' }, (_error, stdout) => {
      // Exit 1 means no identity is configured: the fallbacks apply.
      configured ??= parseIdentity(stdout ?? '');
      resolve();
    });
  });
  return loading;
}

/**
 * The identity of commits when git has none (a fresh CI machine): it says so, and its address is in
 * the reserved .invalid domain (RFC 2606), so it can never be taken for, or linked to, a real account.
 */
const FALLBACK: Person = { name: 'gitops-platform (no git identity set)', email: 'gitops-platform@identity.invalid' };

/**
 * Who commits, as `git commit` would decide it: GIT_<ROLE>_NAME/EMAIL, then the user's git
 * identity, else the fallback.
 */
function person(role: 'AUTHOR' | 'COMMITTER'): Person {
  const config = configuredIdentity();
  return {
    name: process.env[`GIT_${role}_NAME`] || config.name || FALLBACK.name,
    email: process.env[`GIT_${role}_EMAIL`] || config.email || FALLBACK.email,
  };
}

/** Who the commits of this run are by, and whether that is the fallback (to say so). */
export function commitAuthor(): Person & { fallback: boolean } {
  const author = person('AUTHOR');
  return { ...author, fallback: author.name === FALLBACK.name || author.email === FALLBACK.email };
}

/** Arguments that supply the fallback identity to commands that commit (the user's own wins). */
function identityArgs(): string[] {
  const config = configuredIdentity();
  const args: string[] = [];
  if (!config.email) args.push('-c', `user.email=${FALLBACK.email}`);
  if (!config.name) args.push('-c', `user.name=${FALLBACK.name}`);
  return args;
}

/** A git killed by Ctrl-C (the terminal signals the whole process group) stopped for the interrupt. */
function killedBy(signal: NodeJS.Signals | null): InterruptSignal | undefined {
  return signal === 'SIGINT' || signal === 'SIGTERM' ? signal : undefined;
}

export function git(cwd: string, args: string[], input?: string): string {
  const result = spawnSync('git', [...identityArgs(), ...args], { cwd, encoding: 'utf8', input });
  if (result.error) throw new GitError(`git ${args[0]}: ${result.error.message}`);
  const interrupt = killedBy(result.signal);
  if (interrupt) throw new Interrupted(interrupt);
  if (result.status !== 0) {
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}:\n${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}

/** git, without waiting: the repos of `new` are committed side by side. An interrupt stops it. */
function gitAsync(cwd: string, args: string[], input?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = childSignal();
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'ignore', 'pipe'], signal });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // An interrupt kills the child: the promise settles when it has exited (on 'close'), so the
    // rollback never removes a folder git is still writing in.
    child.on('error', (error) => {
      if (!signal.aborted) reject(new GitError(`git ${args[0]}: ${error.message}`));
    });
    child.on('close', (status, killed) => {
      const interrupt = killedBy(killed);
      if (signal.aborted) reject(signal.reason);
      else if (interrupt) reject(new Interrupted(interrupt));
      else if (status === 0) resolve();
      else reject(new GitError(`git ${args.join(' ')} failed in ${cwd}:\n${Buffer.concat(stderr).toString().trim()}`));
    });
    // A git that exits early closes its stdin; its exit status tells why, not the EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function blobId(content: Buffer): Buffer {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest();
}

function fastImportStream(message: string, files: { path: string; content: Buffer }[]): Buffer {
  const line = (p: Person) => `${p.name} <${p.email}> now`;
  const parts: Buffer[] = [
    Buffer.from(
      `commit refs/heads/main\nauthor ${line(person('AUTHOR'))}\ncommitter ${line(person('COMMITTER'))}\n` +
        `data ${Buffer.byteLength(message)}\n${message}\n`,
    ),
  ];
  for (const file of files) {
    const mode = isExecutable(file.path) ? '100755' : '100644';
    parts.push(
      Buffer.from(`M ${mode} inline ${file.path}\ndata ${file.content.length}\n`),
      file.content,
      Buffer.from('\n'),
    );
  }
  parts.push(Buffer.from('done\n'));
  return Buffer.concat(parts);
}

/**
 * The index of a fresh checkout (format version 2, gitformat-index(5)): one entry per file with its
 * stat data and blob id, sorted by path, then the SHA-1 of it all. With real stat data git sees
 * the work tree as clean without re-reading it.
 */
function indexOf(dir: string, files: { path: string; content: Buffer }[]): Buffer {
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const header = Buffer.alloc(12);
  header.write('DIRC', 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(sorted.length, 8);
  const entries = sorted.map((file) => {
    const stat = statSync(join(dir, file.path), { bigint: true });
    const path = Buffer.from(file.path);
    // 62 bytes of fields, the path, and 1-8 NULs so the entry's length is a multiple of 8.
    const entry = Buffer.alloc(Math.ceil((62 + path.length + 1) / 8) * 8);
    const u32 = (value: bigint, at: number) => entry.writeUInt32BE(Number(BigInt.asUintN(32, value)), at);
    u32(stat.ctimeMs / 1000n, 0);
    u32(stat.ctimeNs % 1_000_000_000n, 4);
    u32(stat.mtimeMs / 1000n, 8);
    u32(stat.mtimeNs % 1_000_000_000n, 12);
    u32(stat.dev, 16);
    u32(stat.ino, 20);
    entry.writeUInt32BE(isExecutable(file.path) ? 0o100755 : 0o100644, 24);
    u32(stat.uid, 28);
    u32(stat.gid, 32);
    u32(stat.size, 36);
    blobId(file.content).copy(entry, 40);
    entry.writeUInt16BE(Math.min(path.length, 0xfff), 60);
    path.copy(entry, 62);
    return entry;
  });
  const body = Buffer.concat([header, ...entries]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** Every file under `dir` but .git, as repo paths (a generated repo has no symlinks or empty folders). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (path === '.git') return [];
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/**
 * A new, empty repository on `main` (SHA-1 object ids: the index written by commitAll uses them),
 * with the identity its commit will carry read alongside.
 */
export async function initRepo(dir: string): Promise<void> {
  await Promise.all([
    gitAsync(dir, ['init', '--quiet', '--initial-branch=main', '--object-format=sha1']),
    loadIdentity(),
  ]);
}

/**
 * The first commit of a repo made by initRepo: every file in `dir`, and a clean index. `written`
 * holds what the caller wrote (not read back); any other file (npm's lockfile) is read.
 */
export async function commitAll(dir: string, message: string, written: ReadonlyMap<string, string>): Promise<void> {
  const files = filesUnder(dir).map((path) => {
    // fast-import takes an unquoted path literally, to the end of its line.
    if (path.includes('\n') || path.startsWith('"'))
      throw new GitError(`cannot commit a file named ${JSON.stringify(path)}`);
    const known = written.get(path);
    return { path, content: known === undefined ? readFileSync(join(dir, path)) : Buffer.from(known) };
  });
  // fastimport.unpackLimit=0 keeps the objects in the one pack fast-import writes (as a clone
  // does): below its default of 100 objects it runs `git unpack-objects`, four fifths of its time.
  await gitAsync(
    dir,
    ['-c', 'fastimport.unpackLimit=0', 'fast-import', '--quiet', '--done', '--date-format=now'],
    fastImportStream(message, files),
  );
  writeFileSync(join(dir, '.git', 'index'), indexOf(dir, files));
}

/**
 * The branch new work starts from: the remote's default (origin/HEAD) when the repo has one, else
 * `main`, the branch `new` made; else the branch checked out.
 */
export function defaultBranch(dir: string): string {
  const remote = spawnSync('git', ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (remote.status === 0 && remote.stdout.trim().startsWith('origin/')) {
    const name = remote.stdout.trim().slice('origin/'.length);
    if (git(dir, ['branch', '--list', name]).trim() !== '') return name;
  }
  if (git(dir, ['branch', '--list', 'main']).trim() !== '') return 'main';
  return currentBranch(dir);
}

/** The branch checked out (checkRepos has refused a detached HEAD). */
export function currentBranch(dir: string): string {
  return git(dir, ['symbolic-ref', '--short', 'HEAD']).trim();
}

/** The files of a repo as a branch has them (the work tree may be on another branch). */
export function branchReader(dir: string, branch: string): FileReader {
  const cache = new Map<string, string | undefined>();
  return (path) => {
    if (!cache.has(path)) {
      const shown = spawnSync('git', ['cat-file', 'blob', `refs/heads/${branch}:${path}`], {
        cwd: dir,
        encoding: 'utf8',
      });
      cache.set(path, shown.status === 0 ? shown.stdout : undefined);
    }
    return cache.get(path);
  };
}

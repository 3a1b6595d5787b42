/** Helpers shared by tests that generate workspaces: read whole trees and render answer sets. */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAnswersFile } from '../../generators/lib/answers/file.ts';
import { completeAnswers } from '../../generators/lib/answers/validate.ts';
import { buildModel, type Model } from '../../generators/lib/model.ts';
import { generatorId } from '../../generators/lib/version.ts';
import { tempDir } from './temp.ts';
import { run } from './tools.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The package's bin, as npm links it. */
export const bin = join(repoRoot, 'bin', 'gitops-platform.js');
export const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', name);

/** The two answer sets the snapshot and tool tests use. */
export const answerSets = {
  minimal: { description: 'the demo defaults (two environments, no domain)', file: undefined },
  full: { description: 'three environments, an account each, and a domain', file: fixture('answers-full.yaml') },
} as const;

export type AnswerSetName = keyof typeof answerSets;

/** The platform answers and first service of an answer set, as `new` would receive them. */
export function answersFor(set: AnswerSetName) {
  const file = answerSets[set].file;
  return completeAnswers(file ? loadAnswersFile(file) : {}, true);
}

export function modelFor(set: AnswerSetName, extraServices: { name: string; port: number }[] = []): Model {
  const { platform, service } = answersFor(set);
  return buildModel(platform, [service, ...extraServices], generatorId);
}

/** Every file's relative path under `dir`, sorted, skipping .git. */
export function listFiles(dir: string): string[] {
  return [...readTree(dir).keys()];
}

/** The error a generator run (or any promise) was refused with; fails when it was not refused. */
export async function rejection(run: PromiseLike<unknown>, what = 'the command'): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${what} did not refuse`);
}

/** Every file under `dir` (relative path -> content), skipping .git. */
export function readTree(dir: string, skip: (path: string) => boolean = (p) => p === '.git'): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const full = join(current, entry);
      const rel = relative(dir, full);
      if (skip(rel)) continue;
      if (statSync(full).isDirectory()) walk(full);
      else files.set(rel, readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/** Every folder and file under `root` (kind, mode, content), optionally skipping `.git` folders. */
export function treeState(root: string, withGit = true): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (!withGit && entry === '.git') continue;
      const stat = lstatSync(full);
      const rel = relative(root, full);
      if (stat.isDirectory()) {
        out.push(`dir  ${rel}`);
        walk(full);
      } else out.push(`file ${rel} ${(stat.mode & 0o777).toString(8)} ${readFileSync(full).toString('base64')}`);
    }
  };
  walk(root);
  return out;
}

/** A git query in dir, through the suite's one runner (timeout, and the output on failure). */
const gitOut = (dir: string, ...args: string[]) => run('git', args, { cwd: dir, check: true }).stdout;

/** What a refusal or rollback must leave in a repo: branches, HEAD, index (stages too), work tree, folders. */
export function repoState(dir: string) {
  return {
    // symbolic-ref exits 1 on a detached HEAD.
    head: run('git', ['symbolic-ref', '-q', 'HEAD'], { cwd: dir }).stdout.trim() || 'detached',
    commit: gitOut(dir, 'rev-parse', 'HEAD').trim(),
    branches: gitOut(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads'),
    index: gitOut(dir, 'ls-files', '--stage'),
    status: gitOut(dir, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    tree: treeState(dir, false),
  };
}

/**
 * A whole workspace as a command must leave it when it refuses or fails: every file and folder
 * outside .git, and the git state of each repo in it. Compare one taken before with one after.
 */
export function workspaceState(ws: string): Record<string, unknown> {
  const state: Record<string, unknown> = { tree: treeState(ws, false) };
  for (const entry of readdirSync(ws).sort()) {
    if (existsSync(join(ws, entry, '.git'))) state[entry] = repoState(join(ws, entry));
  }
  return state;
}

/** Each entry of a workspace state as one short line (content hashed), for messages that name what differs. */
function stateLines(state: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, at);
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
    else {
      const text = String(value);
      const short = text.length > 120 ? `${text.slice(0, 80)}... (${text.length} chars)` : text;
      lines.push(`${at}: ${short}`);
    }
  };
  walk(state, '');
  return lines;
}

/** Fails with the entries that differ (not two dumps of every file) when a workspace changed. */
export function assertSameState(after: Record<string, unknown>, before: Record<string, unknown>, message: string) {
  if (JSON.stringify(after) === JSON.stringify(before)) return;
  const a = new Set(stateLines(after));
  const b = new Set(stateLines(before));
  const gone = [...b].filter((l) => !a.has(l)).slice(0, 10);
  const added = [...a].filter((l) => !b.has(l)).slice(0, 10);
  throw new Error(`${message}\n  only before:\n    ${gone.join('\n    ')}\n  only after:\n    ${added.join('\n    ')}`);
}

/** The bin run as a user runs it in `cwd`, with stdin closed as in CI. */
export function runBin(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', input: '', timeout: 60_000 });
}

/** A workspace as the bin's `new --defaults --skip-install [args]` makes it, in a folder of its own. */
export function madeWorkspace(prefix: string, args: string[] = []): string {
  const dir = tempDir(prefix);
  const made = runBin(dir, ['new', '--defaults', '--skip-install', ...args, '--output', 'ws']);
  if (made.status !== 0) throw new Error(`new failed in ${dir}:\n${made.stderr}`);
  return join(dir, 'ws');
}

/**
 * Writing files into a repo: the one executable-bit rule (scripts run as checked out, and their
 * index entries say so) and what a write creates, so a rollback can remove exactly that.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Scripts get the executable bit, so `scripts/set-image.sh` runs as checked out. */
export function isExecutable(path: string): boolean {
  return path.endsWith('.sh');
}

/** Writes one file of a repo, making its folders. */
export function writeFile(root: string, path: string, content: string): void {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content, { mode: isExecutable(path) ? 0o755 : 0o644 });
}

/**
 * What writing `path` in `dir` creates: the first missing part of the path (a folder, and all in it,
 * or the file itself); undefined when the file exists. A restore removes it, leaving no empty folder.
 */
export function createdBy(dir: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const part = parts.slice(0, i).join('/');
    if (!existsSync(join(dir, part))) return part;
  }
  return undefined;
}

export function writeFiles(root: string, files: { path: string; content: string }[]): void {
  for (const file of files) writeFile(root, file.path, file.content);
}

/** Reads one file of a repo by its path: from the work tree, or from a branch (git.ts#branchReader). */
export type FileReader = (path: string) => string | undefined;

/** The files of a repo as they are on disk now. */
export function workTree(dir: string): FileReader {
  return (path) => {
    const file = join(dir, path);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
}

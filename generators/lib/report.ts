/**
 * Text the commands' reports share: answers as a table, a repo's files as a folder tree with counts,
 * and a unified diff of one file (the `diff` library). Pure: strings in, lines out.
 */
import { createTwoFilesPatch } from 'diff';
import { type PlatformAnswers, platformKeys, type ServiceAnswers } from './answers/table.ts';

function shown(value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  if (Array.isArray(value)) return value.join(',');
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${v}`).join(',');
  }
  return String(value);
}

/** The answers a run resolved, one per line, every one of the table: the platform's, then the service's. */
export function answerLines(platform: PlatformAnswers, service?: ServiceAnswers): string[] {
  const rows: [string, unknown][] = [
    ...platformKeys.map((key): [string, unknown] => [key, platform[key]]),
    ...(service
      ? ([
          ['service', service.name],
          ['port', service.port],
        ] as [string, unknown][])
      : []),
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `  ${key.padEnd(width)}  ${shown(value)}`);
}

interface Folder {
  files: number;
  total: number;
  children: Map<string, Folder>;
}

/**
 * A repo's files as a tree of folders, each with the number of files under it; a folder whose only
 * content is one folder is shown as one line (`.github/workflows/`).
 */
export function folderTree(paths: string[], indent = '  '): string[] {
  const root: Folder = { files: 0, total: 0, children: new Map() };
  for (const path of paths) {
    const parts = path.split('/');
    let folder = root;
    folder.total += 1;
    for (const part of parts.slice(0, -1)) {
      let child = folder.children.get(part);
      if (!child) {
        child = { files: 0, total: 0, children: new Map() };
        folder.children.set(part, child);
      }
      child.total += 1;
      folder = child;
    }
    folder.files += 1;
  }
  const lines: string[] = [];
  if (root.files > 0) lines.push(`${indent}${root.files} at the top`);
  const walk = (folder: Folder, depth: number) => {
    for (const name of [...folder.children.keys()].sort()) {
      let label = `${name}/`;
      let child = folder.children.get(name) as Folder;
      while (child.files === 0 && child.children.size === 1) {
        const [only, next] = [...child.children][0];
        label += `${only}/`;
        child = next;
      }
      lines.push(`${indent.repeat(depth + 1)}${label}  ${child.total}`);
      walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return lines;
}

/** A unified diff of one file (`/dev/null` for a side that does not exist). */
export function fileDiff(path: string, before: string | undefined, after: string | undefined): string[] {
  const patch = createTwoFilesPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  // The library's first line is a separator of its own ("===...").
  return patch
    .split('\n')
    .filter((line, i) => !(i === 0 && line.startsWith('=')))
    .filter((l, i, all) => i < all.length - 1 || l !== '');
}

/** Where a repo's change lands: its branch, and the branch it started from (a pull request's base). */
export interface Landing {
  branch: string;
  from: string;
  /** The branch is made by this command (not --current-branch). */
  created: boolean;
}

/** One file of a change as reports show it (JSON and text). */
export interface ReportedFile {
  path: string;
  action: 'add' | 'change' | 'remove';
  /** A removed file the team had edited. */
  edited?: boolean;
  /** With --diff. */
  diff?: string;
}

/** A planned file as reported, with its unified diff when asked. */
export function reportedFile(
  file: { path: string; action: ReportedFile['action']; before?: string; after?: string; edited?: boolean },
  diff: boolean,
): ReportedFile {
  return {
    path: file.path,
    action: file.action,
    ...(file.edited ? { edited: true } : {}),
    ...(diff ? { diff: fileDiff(file.path, file.before, file.after).join('\n') } : {}),
  };
}

export function landingText(where: Landing): string {
  return where.created ? `new branch ${where.branch} from ${where.from}` : `branch ${where.branch}`;
}

/** Pushing a repo's change: a branch with a pull request to merge `when`, or a push of `when` itself. */
export function pushStep(repo: string, where: Landing, when: string): string {
  return where.branch === where.from
    ? `Push ${repo} (${where.branch}) ${when}`
    : `Push ${repo} (branch ${where.branch}) and open its pull request into ${where.from}; merge it ${when}`;
}

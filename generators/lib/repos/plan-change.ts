/**
 * What a day-2 change (a service or an environment added or removed) does to one existing repo:
 * the repo rendered with the answers before and after the change, each difference merged with the
 * team's edits (three-way: before is the base, the repo is ours, after is theirs), files that only
 * the old answers had removed. Reads the repo, writes nothing: the result is the operations of the
 * one repo applier (transaction.ts), or a refusal that lists every overlap.
 */
import type { PlatformAnswers, ServiceAnswers } from '../answers/table.ts';
import { UsageError } from '../errors.ts';
import { mergeFile } from '../merge.ts';
import type { Model, RepoKind } from '../model.ts';
import { renderRepo } from '../render/render.ts';
import type { LocatedRepo } from './locate.ts';
import { manifestOf, readManifest, stateFiles } from './state.ts';
import type { FileOp, RepoChange } from './transaction.ts';

/** One file of a plan, as a review shows it. */
export interface PlannedFile {
  path: string;
  action: 'add' | 'change' | 'remove';
  /** The file as it is (undefined: it does not exist). */
  before?: string;
  /** The file after the change (undefined: removed). */
  after?: string;
  /** A removed file the team had changed since it was generated (git history keeps it). */
  edited?: boolean;
}

interface ChangeRequest {
  repo: LocatedRepo;
  kind: RepoKind;
  /** App repos: the service the repo is. */
  service?: string;
  before: Model;
  after: Model;
  /** The answers and services recorded after the change. */
  platform: PlatformAnswers;
  services: ServiceAnswers[];
  version: string;
  message: string;
  /** What the change is, for a refusal: "add web to", "add the environment qa to". */
  doing: string;
  /** What team edits may not overlap, for a refusal: "the lines the service adds". */
  touches: string;
  /**
   * Only these services' own files are rendered (an added service: its own); the other services'
   * files do not change. Default: every file.
   */
  onlyServices?: readonly string[];
}

export interface PlannedRepo {
  change: RepoChange;
  files: PlannedFile[];
}

export function planChange(request: ChangeRequest): PlannedRepo {
  const { repo, kind, service, before, after, onlyServices } = request;
  const old = new Map(
    renderRepo(before, kind, service, onlyServices ? [] : undefined).files.map((f) => [f.path, f.content]),
  );
  const rendered = renderRepo(after, kind, service, onlyServices);
  const ops: FileOp[] = [];
  const files: PlannedFile[] = [];
  const conflicts: string[] = [];
  for (const file of rendered.files) {
    const base = old.get(file.path);
    const ours = base === file.content ? undefined : repo.read(file.path);
    if (base === undefined) {
      if (ours !== undefined && ours !== file.content)
        conflicts.push(`${file.path} (new, but a file of yours is there)`);
      else if (ours === undefined) {
        ops.push({ path: file.path, content: file.content });
        files.push({ path: file.path, action: 'add', after: file.content });
      }
      continue;
    }
    // Unchanged, deleted by the team, or the team's own file after creation (policy once).
    if (base === file.content || ours === undefined || file.policy === 'once') continue;
    const merged = mergeFile(file.path, base, ours, file.content);
    if (merged.conflicts > 0) conflicts.push(`${file.path} (your edits overlap ${request.touches})`);
    else if (merged.content !== ours) {
      ops.push({ path: file.path, content: merged.content });
      files.push({ path: file.path, action: 'change', before: ours, after: merged.content });
    }
  }
  // Files only the old answers had (an environment's root, values and Applications) go, edited or not:
  // the command that removes them asked for consent, and git history keeps them.
  const now = new Set(rendered.files.map((f) => f.path));
  for (const [path, base] of old) {
    if (now.has(path) || onlyServices) continue;
    const ours = repo.read(path);
    if (ours === undefined) continue;
    ops.push({ path, remove: true });
    files.push({ path, action: 'remove', before: ours, edited: ours !== base });
  }
  if (conflicts.length > 0) {
    throw new UsageError(
      `Cannot ${request.doing} ${repo.dir} without overwriting your work; nothing was written:\n  - ${conflicts.join('\n  - ')}`,
    );
  }
  // The manifest keeps the entries of the files not rendered here (they did not change), and loses
  // those of the removed files.
  const previous = readManifest(repo.dir, repo.read);
  const complete = onlyServices && !previous ? renderRepo(after, kind, service) : rendered;
  const manifest = manifestOf(complete.files, request.version, previous);
  for (const f of files) if (f.action === 'remove') delete manifest.files[f.path];
  for (const state of stateFiles({ kind, service }, request.platform, request.services, manifest)) {
    const was = repo.read(state.path);
    if (was === state.content) continue;
    ops.push(state);
    files.push({ path: state.path, action: was === undefined ? 'add' : 'change', before: was, after: state.content });
  }
  return {
    change: { name: rendered.repo.name, dir: repo.dir, ops, message: request.message, startPoint: repo.startPoint },
    files,
  };
}

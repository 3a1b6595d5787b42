/**
 * What upgrade reports: a table of actions per repo; with --dry-run / --check every file and its
 * action (with --diff a unified diff of each); what needs the team's attention (conflicts, kept
 * files, answers that differ between repos, destructive changes and their steps in AWS); the
 * outcome and its exit code. As text, or as one JSON document (--json).
 */
import { join, relative } from 'node:path';
import { type Destruction, destructionLines } from '../lib/answer-changes.ts';
import { EXIT_MEANINGS } from '../lib/errors.ts';
import { fileDiff } from '../lib/report.ts';
import { type Action, hasWork, type RepoUpgrade } from './plan.ts';

const EXIT_PENDING = 2;
const EXIT_CONFLICTS = 3;

const columns: Action[] = ['updated', 'merged', 'conflict', 'added', 'removed', 'kept deleted'];

interface UpgradeReport {
  command: 'upgrade';
  /** check and dry-run write nothing. */
  mode: 'check' | 'dry-run' | 'apply';
  exitCode: number;
  meaning: string;
  /** One sentence: what happened, or what is pending. */
  outcome: string;
  repos: {
    name: string;
    path: string;
    from: string;
    to: string;
    base: 'three-way' | 'manifest-only';
    /** Why there was no base to merge with (manifest-only). */
    reason?: string;
    files: { path: string; action: Action; movedFrom?: string; diff?: string }[];
  }[];
  differingAnswers: string[];
  destructive: Destruction[];
  allowDestroy: boolean;
}

/** The repo's file before and after one change, for a diff (the plan holds the new text). */
function diffOf(plan: RepoUpgrade, change: RepoUpgrade['changes'][number]): string | undefined {
  if (change.action === 'kept' || change.action === 'kept deleted') return undefined;
  const before = plan.repo.read(change.movedFrom ?? change.path);
  const after = change.action === 'removed' ? undefined : change.content;
  if (after === undefined && change.action !== 'removed') return undefined;
  return fileDiff(change.path, before, after).join('\n');
}

export function upgradeReport(
  plans: RepoUpgrade[],
  facts: {
    cwd: string;
    mode: UpgradeReport['mode'];
    exitCode: number;
    outcome: string;
    differing: string[];
    destructive: Destruction[];
    allowDestroy: boolean;
    diff: boolean;
  },
): UpgradeReport {
  return {
    command: 'upgrade',
    mode: facts.mode,
    exitCode: facts.exitCode,
    meaning: EXIT_MEANINGS[facts.exitCode],
    outcome: facts.outcome,
    repos: plans.map((plan) => ({
      name: relative(facts.cwd, plan.repo.dir) || '.',
      path: plan.repo.dir,
      from: plan.fromVersion,
      to: plan.toVersion,
      base: plan.mode,
      ...(plan.reason ? { reason: plan.reason } : {}),
      files: plan.changes.map((change) => {
        const diff = facts.diff ? diffOf(plan, change) : undefined;
        return {
          path: change.path,
          action: change.action,
          ...(change.movedFrom ? { movedFrom: change.movedFrom } : {}),
          ...(diff ? { diff } : {}),
        };
      }),
    })),
    differingAnswers: facts.differing,
    destructive: facts.destructive,
    allowDestroy: facts.allowDestroy,
  };
}

function table(report: UpgradeReport): string[] {
  const rows = report.repos.map((repo) => [
    repo.name,
    `${repo.from} -> ${repo.to}`,
    ...columns.map((action) => String(repo.files.filter((f) => f.action === action).length)),
  ]);
  const header = ['repo', 'version', ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The report as text. */
export function upgradeText(report: UpgradeReport): string[] {
  const lines = table(report);
  const reviewing = report.mode !== 'apply';
  for (const repo of report.repos) {
    if (repo.base === 'manifest-only') {
      lines.push(`${repo.name}: no base to merge with (${repo.reason}); only files still as generated are updated.`);
    }
    // A review lists every file; an applied upgrade only what needs the team's attention.
    const shown = reviewing ? repo.files : repo.files.filter((f) => f.action === 'conflict' || f.action === 'kept');
    if (reviewing && shown.length > 0) lines.push(`${repo.name}/`);
    for (const file of shown) {
      const path = reviewing ? file.path : join(repo.name, file.path);
      const moved = file.movedFrom ? ` (moved from ${file.movedFrom})` : '';
      lines.push(`  ${file.action.padEnd(12)} ${path}${moved}`);
      if (file.diff) lines.push(file.diff);
    }
  }
  if (report.differingAnswers.length > 0) {
    lines.push(
      'The repos record different answers (pass the flag of each field to choose one value):',
      ...report.differingAnswers.map((line) => `  - ${line}`),
    );
  }
  if (report.destructive.length > 0) {
    lines.push(
      `This change destroys infrastructure${report.allowDestroy ? '' : ' (applying it needs --allow-destroy)'}; in AWS, in this order:`,
      ...destructionLines(report.destructive),
    );
  }
  lines.push(report.outcome);
  return lines;
}

/** The outcome of a run in one sentence, and its exit code: 2 pending (a review), 3 conflicts left. */
export function upgradeOutcome(
  plans: RepoUpgrade[],
  run: { review: boolean; commit: boolean; differing: string[] },
): { exitCode: number; outcome: string } {
  const pending = plans.filter(hasWork);
  const conflicts = plans.flatMap((p) => p.changes.filter((c) => c.action === 'conflict'));
  if (run.review) {
    const behind = pending.length > 0 || run.differing.length > 0;
    return behind
      ? { exitCode: EXIT_PENDING, outcome: 'Pending changes; nothing was written.' }
      : { exitCode: 0, outcome: 'Up to date.' };
  }
  if (pending.length === 0) return { exitCode: 0, outcome: 'Up to date: nothing to do.' };
  if (conflicts.length > 0) {
    return {
      exitCode: EXIT_CONFLICTS,
      outcome: conflictOutcome(conflicts.filter((c) => c.stages).length, conflicts.length),
    };
  }
  return {
    exitCode: 0,
    outcome: run.commit ? 'Upgraded and committed.' : 'Upgraded; review with `git diff --cached` and commit.',
  };
}

/** What an upgrade that left conflicts says: markers to resolve, and files without a base to merge. */
function conflictOutcome(marked: number, all: number): string {
  const parts: string[] = [];
  if (marked > 0) {
    parts.push(
      `${marked} conflict(s) left for you: resolve the markers, \`git add\` the files, then commit. ` +
        '`git status` lists them as unmerged.',
    );
  }
  if (all > marked) {
    parts.push(
      `${all - marked} file(s) differ from what was generated and from what this version generates, and ` +
        'without the recorded version there is no base to merge them: they were left as they are. Bring the ' +
        'template changes into them by hand; until then the recorded version stays and upgrade lists them.',
    );
  }
  return parts.join('\n');
}

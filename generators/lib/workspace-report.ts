/**
 * What a change of existing repos (`env add`, `env remove`, `service remove`) reports: each repo's
 * files (one line per file and action with --dry-run, a unified diff of each with --diff), where each
 * change landed, removed files that had edits of the team, and the steps that follow, in order. As
 * text, or as one JSON document (--json). Pure: the run in, the report out.
 */
import { EXIT_MEANINGS } from './errors.ts';
import { type Landing, landingText, type ReportedFile, reportedFile } from './report.ts';
import type { PlannedRepo } from './repos/plan-change.ts';

export interface WorkspaceReport {
  command: 'env add' | 'env remove' | 'service remove';
  /** The environment or service the command names. */
  subject: string;
  /** What was done, in a sentence ("Added environment qa; the order is now dev -> qa -> prod"). */
  headline: string;
  /** env add and env remove: the environments in promotion order after the change. */
  environments?: string[];
  dryRun: boolean;
  exitCode: 0;
  meaning: string;
  repos: ({ name: string; committed: boolean; files: ReportedFile[] } & Landing)[];
  nextSteps: string[];
}

export function workspaceReport(run: {
  command: WorkspaceReport['command'];
  subject: string;
  headline: string;
  environments?: string[];
  plans: { where: Landing; planned: PlannedRepo }[];
  dryRun: boolean;
  committed: boolean;
  diff: boolean;
  nextSteps: string[];
}): WorkspaceReport {
  return {
    command: run.command,
    subject: run.subject,
    headline: run.headline,
    ...(run.environments && { environments: run.environments }),
    dryRun: run.dryRun,
    exitCode: 0,
    meaning: EXIT_MEANINGS[0],
    repos: run.plans.map(({ where, planned }) => ({
      name: planned.change.name,
      committed: run.committed,
      ...where,
      files: planned.files.map((f) => reportedFile(f, run.diff)),
    })),
    nextSteps: run.nextSteps,
  };
}

export function workspaceText(report: WorkspaceReport): string[] {
  const diffs = report.repos.flatMap((repo) => repo.files.flatMap((file) => (file.diff ? [file.diff] : [])));
  if (report.dryRun) {
    return [
      ...report.repos.flatMap((repo) => [
        `${repo.name}/ (${landingText(repo)})`,
        ...repo.files.flatMap((file) => [
          `  ${file.action.padEnd(6)}  ${file.path}${file.edited ? '  (has your edits)' : ''}`,
          ...(file.diff ? [file.diff] : []),
        ]),
      ]),
      'Dry run: nothing was written.',
    ];
  }
  const count = (files: ReportedFile[], action: ReportedFile['action']) =>
    files.filter((f) => f.action === action).length;
  const edited = report.repos.flatMap((repo) =>
    repo.files.filter((f) => f.edited).map((f) => `  ${repo.name}/${f.path}`),
  );
  return [
    `${report.headline}:`,
    ...report.repos.map(
      (repo) =>
        `  ${repo.name}/  ${count(repo.files, 'add')} added, ${count(repo.files, 'change')} changed, ` +
        `${count(repo.files, 'remove')} removed on ${landingText(repo)}${repo.committed ? ', one commit' : ', staged, not committed'}`,
    ),
    ...(edited.length > 0 ? ['Removed with edits of yours (git history keeps them):', ...edited] : []),
    ...diffs,
    '',
    'Next steps, in this order:',
    ...report.nextSteps.map((step, i) => `  ${i + 1}. ${step}`),
  ];
}

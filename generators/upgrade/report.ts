/** What upgrade tells the user about its plans: a table per repo, then what needs their attention. */
import { join, relative } from 'node:path';
import type { Action, RepoUpgrade } from './plan.ts';

const columns: Action[] = ['updated', 'merged', 'conflict', 'added', 'removed', 'kept deleted'];

export function summaryLines(plans: RepoUpgrade[], cwd: string): string[] {
  const rows = plans.map((plan) => [
    relative(cwd, plan.repo.dir) || '.',
    `${plan.fromVersion} -> ${plan.toVersion}`,
    ...columns.map((action) => String(plan.changes.filter((c) => c.action === action).length)),
  ]);
  const header = ['repo', 'version', ...columns];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  for (const plan of plans) {
    if (plan.mode === 'manifest-only') {
      lines.push(
        `${relative(cwd, plan.repo.dir) || '.'}: no base to merge with (${plan.reason}); only files still as generated are updated.`,
      );
    }
    for (const change of plan.changes.filter((c) => c.action === 'conflict' || c.action === 'kept')) {
      lines.push(`  ${change.action.padEnd(8)} ${relative(cwd, join(plan.repo.dir, change.path))}`);
    }
  }
  return lines;
}

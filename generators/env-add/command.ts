/** `gitops-platform env add <name>` / `yo gitops-platform:env-add <name>`: its options and help. */
import type { CommandSpec } from '../lib/answers/table.ts';

export const envAddCommand = {
  name: 'env add',
  summary: 'Add an environment: a branch with one commit in the infra, GitOps and app repos',
  usage: 'gitops-platform env add <name> [--after <env> | --before <env> | --production] [--account <id>] [options]',
  namespace: 'gitops-platform:env-add',
  positionals: ['name'],
  options: [
    'after',
    'before',
    'production',
    'account',
    'infra',
    'gitops',
    'currentBranch',
    'commit',
    'dryRun',
    'diff',
    'json',
  ],
  help: {
    commit: ['--no-commit', 'Leave the changes staged, not committed'],
    currentBranch: [
      '--current-branch',
      'Commit on the current branch of each repo instead of a new add-env-<name> branch',
    ],
  },
} as const satisfies CommandSpec;

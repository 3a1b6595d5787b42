/** `gitops-platform env remove <name>` / `yo gitops-platform:env-remove <name>`: its options and help. */
import type { CommandSpec } from '../lib/answers/table.ts';

export const envRemoveCommand = {
  name: 'env remove',
  summary: 'Remove an environment (with --allow-destroy): a branch with one commit per repo, and the steps in AWS',
  usage: 'gitops-platform env remove <name> --allow-destroy [--successor <env>] [options]',
  namespace: 'gitops-platform:env-remove',
  positionals: ['name'],
  options: ['allowDestroy', 'successor', 'infra', 'gitops', 'currentBranch', 'commit', 'dryRun', 'diff', 'json'],
  help: {
    allowDestroy: ['--allow-destroy', 'Consent: the environment, its cluster and everything in it are to be destroyed'],
    commit: ['--no-commit', 'Leave the changes staged, not committed'],
    currentBranch: [
      '--current-branch',
      'Commit on the current branch of each repo instead of a new remove-env-<name> branch',
    ],
  },
} as const satisfies CommandSpec;

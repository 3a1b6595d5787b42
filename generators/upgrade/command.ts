/** `gitops-platform upgrade` / `yo gitops-platform:upgrade`: its options and help. */
import { type CommandSpec, platformKeys } from '../lib/answers/table.ts';

export const upgradeCommand = {
  name: 'upgrade',
  summary: 'Bring the current templates (and changed answers) into the repos, keeping every hand edit',
  usage: 'gitops-platform upgrade [options]   (inside one repo, or in the workspace for all)',
  namespace: 'gitops-platform:upgrade',
  // Every platform answer can change on upgrade but org (it names the repos), clusterAdmins (it seeds
  // each environment's terraform.tfvars, which is the team's after new: edit it there) and vpcCidrs
  // (allocated once and recorded; a new environment gets a free one by itself).
  options: [
    ...platformKeys.filter((k) => k !== 'org' && k !== 'clusterAdmins' && k !== 'vpcCidrs'),
    'environment',
    'allowDestroy',
    'dryRun',
    'check',
    'diff',
    'commit',
    'json',
  ],
  help: {
    commit: ['--commit', 'Commit each upgraded repo (refused while conflicts remain; default: do not commit)'],
  },
} as const satisfies CommandSpec;

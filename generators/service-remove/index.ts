/**
 * `yo gitops-platform:service-remove <name>` / `gitops-platform service remove <name>`: the next
 * step of a service's removal (plan.ts) in the infra and GitOps repos, on a branch of each named
 * after the step, with the steps that must follow (report.ts). The service's app repo is left alone.
 * Everything is read and checked before anything is written; one transaction lands both changes.
 */
import type { Flags } from '../lib/answers/table.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { UsageError } from '../lib/errors.ts';
import type { Model } from '../lib/model.ts';
import { atDefaultBranch, findRepo } from '../lib/repos/locate.ts';
import type { PlannedRepo } from '../lib/repos/plan-change.ts';
import { locateWorkspace, planWorkspace, recordedPlatform, type WorkspaceRepo } from '../lib/repos/plan-workspace.ts';
import { recordedAnswers } from '../lib/repos/state.ts';
import { applyChanges } from '../lib/repos/transaction.ts';
import { generatorId } from '../lib/version.ts';
import { workspaceReport, workspaceText } from '../lib/workspace-report.ts';
import { serviceRemoveCommand } from './command.ts';
import { planRemoval, type Removal } from './plan.ts';
import { serviceRemoveSteps } from './report.ts';

export default class RemoveServiceGenerator extends CommandGenerator {
  private flags: Flags = {};
  private name = '';
  private repos: WorkspaceRepo[] = [];
  private plans: { repo: WorkspaceRepo; planned: PlannedRepo }[] = [];
  private removal?: Removal;
  private before?: Model;

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, serviceRemoveCommand);
    // Not required here: argv.ts checks the arguments and prints the usage when the name is missing.
    this.argument('name', { type: String, required: false, description: 'Name of the service' });
  }

  initializing(): void {
    const { flags, positionals } = this.readCommandLine();
    this.flags = flags;
    this.name = positionals[0];
    const cwd = this.destinationRoot();
    // The next step follows from what the GitOps repo records where the change starts (the default
    // branch, unless --current-branch); the step names the branch.
    const gitops = findRepo('gitops', cwd, flags.gitops);
    const start = flags.currentBranch ? gitops : atDefaultBranch(gitops);
    const removal = planRemoval(recordedAnswers(start.state).services, this.name, flags);
    if (removal.destroys && !flags.allowDestroy && !flags.dryRun) {
      throw new UsageError(
        `${removal.step === 'remove' ? `Removing ${this.name} deletes its workloads in every environment and its roles` : `This step lets Terraform delete the ECR repository of ${this.name} with every image in it`}: ` +
          'say so with --allow-destroy (--dry-run shows the change and its steps); nothing was written.',
      );
    }
    const branch = flags.currentBranch ? undefined : removal.branch;
    this.repos = locateWorkspace(cwd, { infra: flags.infra, gitops: flags.gitops }, branch, { apps: false });
    const recorded = recordedPlatform(this.repos, generatorId.version);
    const { before, plans } = planWorkspace(
      this.repos,
      recorded,
      { platform: recorded.platform, services: removal.services },
      generatorId,
      { message: removal.message, doing: `remove ${this.name} from`, touches: 'the lines the removal changes' },
    );
    this.removal = removal;
    this.before = before;
    this.plans = plans;
  }

  async writing(): Promise<void> {
    if (this.flags.dryRun) return;
    await applyChanges(
      this.plans.map((p) => p.planned.change),
      { branch: this.flags.currentBranch ? undefined : this.removal?.branch, commit: this.flags.commit !== false },
    );
  }

  end(): void {
    const removal = this.removal as Removal;
    const committed = this.flags.commit !== false;
    const report = workspaceReport({
      command: 'service remove',
      subject: this.name,
      headline: headline(this.name, removal),
      plans: this.plans.map(({ repo, planned }) => ({ where: repo.where, planned })),
      dryRun: Boolean(this.flags.dryRun),
      committed,
      diff: Boolean(this.flags.diff),
      nextSteps: serviceRemoveSteps(this.before as Model, this.name, removal, this.repos, committed),
    });
    this.report(report, workspaceText(report));
  }
}

function headline(name: string, removal: Removal): string {
  switch (removal.step) {
    case 'remove':
      return `Removed ${name} from the GitOps and infra repos (step 1: its workloads and roles; its ECR repository stays)`;
    case 'finish':
      return `Finished removing ${name}${removal.deletesImages ? '; its ECR repository goes with the next apply' : ''}`;
    case 'purge':
      return `Marked the ECR repository of ${name} for deletion with its images`;
    case 'delete':
      return `Removed the ECR repository of ${name}; it goes with the next apply`;
  }
}

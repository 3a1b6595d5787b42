/**
 * `yo gitops-platform:env-remove <name>` / `gitops-platform env remove <name> --allow-destroy`: an
 * environment out of the infra, GitOps and app repos, on a remove-env-<name> branch of each, with the
 * steps that must happen in AWS first. Everything is checked before anything is written.
 */

import { checkAnswerChange, type Destruction } from '../lib/answer-changes.ts';
import type { Flags } from '../lib/answers/table.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { environmentReport, environmentText } from '../lib/environment-report.ts';
import type { Model } from '../lib/model.ts';
import type { PlannedRepo } from '../lib/repos/plan-change.ts';
import { locateWorkspace, planWorkspace, recordedPlatform, type WorkspaceRepo } from '../lib/repos/plan-workspace.ts';
import { applyChanges } from '../lib/repos/transaction.ts';
import { generatorId } from '../lib/version.ts';
import { envRemoveCommand } from './command.ts';
import { removedEnvironment } from './plan.ts';
import { envRemoveSteps } from './report.ts';

export default class RemoveEnvironmentGenerator extends CommandGenerator {
  private flags: Flags = {};
  private name = '';
  private branch?: string;
  private repos: WorkspaceRepo[] = [];
  private plans: { repo: WorkspaceRepo; planned: PlannedRepo }[] = [];
  private before?: Model;
  private after?: Model;
  private destruction?: Destruction;

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, envRemoveCommand);
    this.argument('name', { type: String, required: false, description: 'Name of the environment to remove' });
  }

  initializing(): void {
    const { flags, positionals } = this.readCommandLine();
    this.flags = flags;
    this.name = positionals[0];
    this.branch = flags.currentBranch ? undefined : `remove-env-${this.name}`;
    this.repos = locateWorkspace(this.destinationRoot(), { infra: flags.infra, gitops: flags.gitops }, this.branch);
    const recorded = recordedPlatform(this.repos, generatorId.version);
    const to = removedEnvironment(recorded.platform, this.name, flags);
    // Refused without --allow-destroy, listing the steps; a dry run shows them without consent.
    const found = checkAnswerChange(recorded.platform, to, Boolean(flags.allowDestroy || flags.dryRun));
    this.destruction = found.find((d) => d.what === `environment ${this.name} is removed`);
    const { before, after, plans } = planWorkspace(this.repos, recorded, to, generatorId, {
      message: `feat!: remove environment ${this.name}`,
      doing: `remove the environment ${this.name} from`,
      touches: 'the lines the removal changes',
    });
    this.before = before;
    this.after = after;
    this.plans = plans;
  }

  async writing(): Promise<void> {
    if (this.flags.dryRun) return;
    await applyChanges(
      this.plans.map((p) => p.planned.change),
      { branch: this.branch, commit: this.flags.commit !== false },
    );
  }

  end(): void {
    const committed = this.flags.commit !== false;
    const report = environmentReport({
      command: 'env remove',
      environment: this.name,
      environments: (this.after as Model).environments.map((e) => e.name),
      plans: this.plans,
      dryRun: Boolean(this.flags.dryRun),
      committed,
      diff: Boolean(this.flags.diff),
      nextSteps: envRemoveSteps(
        this.before as Model,
        this.name,
        this.destruction as Destruction,
        this.repos,
        committed,
      ),
    });
    this.report(report, environmentText(report));
  }
}

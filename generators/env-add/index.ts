/**
 * `yo gitops-platform:env-add <name>` / `gitops-platform env add <name>`: a new environment across
 * the infra, GitOps and app repos. The answers (plan.ts) and every repo's change are worked out and
 * checked before anything is written; the changes then land as one transaction, on an
 * add-env-<name> branch of each repo.
 */

import { checkAnswerChange } from '../lib/answer-changes.ts';
import type { Flags } from '../lib/answers/table.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { environmentReport, environmentText } from '../lib/environment-report.ts';
import type { Model } from '../lib/model.ts';
import type { PlannedRepo } from '../lib/repos/plan-change.ts';
import { locateWorkspace, planWorkspace, recordedPlatform, type WorkspaceRepo } from '../lib/repos/plan-workspace.ts';
import { applyChanges } from '../lib/repos/transaction.ts';
import { generatorId } from '../lib/version.ts';
import { envAddCommand } from './command.ts';
import { addedEnvironment } from './plan.ts';
import { envAddSteps } from './report.ts';

export default class AddEnvironmentGenerator extends CommandGenerator {
  private flags: Flags = {};
  private name = '';
  private branch?: string;
  private repos: WorkspaceRepo[] = [];
  private plans: { repo: WorkspaceRepo; planned: PlannedRepo }[] = [];
  private models?: { before: Model; after: Model };

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, envAddCommand);
    this.argument('name', { type: String, required: false, description: 'Name of the new environment' });
  }

  initializing(): void {
    const { flags, positionals } = this.readCommandLine();
    this.flags = flags;
    this.name = positionals[0];
    this.branch = flags.currentBranch ? undefined : `add-env-${this.name}`;
    this.repos = locateWorkspace(this.destinationRoot(), { infra: flags.infra, gitops: flags.gitops }, this.branch);
    const recorded = recordedPlatform(this.repos, generatorId.version);
    const to = addedEnvironment(recorded.platform, this.name, flags);
    // Adding destroys nothing; the same rules as upgrade still apply (a Kubernetes jump, say).
    checkAnswerChange(recorded.platform, to, false);
    const { before, after, plans } = planWorkspace(this.repos, recorded, to, generatorId, {
      message: `feat: add environment ${this.name}`,
      doing: `add the environment ${this.name} to`,
      touches: 'the lines the new environment changes',
    });
    this.models = { before, after };
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
    const { before, after } = this.models as { before: Model; after: Model };
    const committed = this.flags.commit !== false;
    const report = environmentReport({
      command: 'env add',
      environment: this.name,
      environments: after.environments.map((e) => e.name),
      plans: this.plans,
      dryRun: Boolean(this.flags.dryRun),
      committed,
      diff: Boolean(this.flags.diff),
      nextSteps: envAddSteps(before, after, this.name, this.repos, committed),
    });
    this.report(report, environmentText(report));
  }
}

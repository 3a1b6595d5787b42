/**
 * The base of `env add` and `env remove`: read the command line, locate and check every repo of the
 * workspace, work out the answers after the change and every repo's change (all before anything is
 * written), land them as one transaction on a new branch per repo, and report. What differs between
 * the two (the answers, consent to destroy, the commit, the steps) comes from an EnvironmentChange.
 * Its lifecycle methods run for both (CommandGenerator asks Yeoman to inherit tasks).
 */
import type { Destruction } from './answer-changes.ts';
import { checkAnswerChange } from './answer-changes.ts';
import type { CommandSpec, Flags, PlatformAnswers } from './answers/table.ts';
import { CommandGenerator, type CommandOptions } from './command-generator.ts';
import type { Model } from './model.ts';
import type { PlannedRepo } from './repos/plan-change.ts';
import { locateWorkspace, planWorkspace, recordedPlatform, type WorkspaceRepo } from './repos/plan-workspace.ts';
import { applyChanges } from './repos/transaction.ts';
import { generatorId } from './version.ts';
import { type WorkspaceReport, workspaceReport, workspaceText } from './workspace-report.ts';

interface EnvironmentChange {
  command: 'env add' | 'env remove';
  /** The branch of each repo, e.g. add-env-<name>. */
  branch(name: string): string;
  /** The answers after the change, every rule checked again; refuses what the order forbids. */
  answers(from: PlatformAnswers, name: string, flags: Flags): PlatformAnswers;
  /** Whether the flags consent to destroying infrastructure. */
  consent(flags: Flags): boolean;
  /** The commit message, and how a refusal names the change and the lines edits may not overlap. */
  describe(name: string): { message: string; doing: string; touches: string };
  steps(run: {
    name: string;
    before: Model;
    after: Model;
    repos: WorkspaceRepo[];
    destructions: Destruction[];
    committed: boolean;
  }): string[];
}

export abstract class EnvironmentGenerator extends CommandGenerator {
  private flags: Flags = {};
  private name = '';
  private branch?: string;
  private repos: WorkspaceRepo[] = [];
  private plans: { repo: WorkspaceRepo; planned: PlannedRepo }[] = [];
  private models?: { before: Model; after: Model };
  private destructions: Destruction[] = [];

  constructor(
    args: string[] | undefined,
    options: CommandOptions | undefined,
    spec: CommandSpec,
    private readonly change: EnvironmentChange,
  ) {
    super(args, options, spec);
    // Not required here: argv.ts checks the arguments and prints the usage when the name is missing.
    this.argument('name', { type: String, required: false, description: 'Name of the environment' });
  }

  initializing(): void {
    const { flags, positionals } = this.readCommandLine();
    this.flags = flags;
    this.name = positionals[0];
    this.branch = flags.currentBranch ? undefined : this.change.branch(this.name);
    this.repos = locateWorkspace(this.destinationRoot(), { infra: flags.infra, gitops: flags.gitops }, this.branch);
    const recorded = recordedPlatform(this.repos, generatorId.version);
    const to = this.change.answers(recorded.platform, this.name, flags);
    // A destructive change is refused without consent, listing its steps; a dry run shows them.
    this.destructions = checkAnswerChange(recorded.platform, to, this.change.consent(flags) || Boolean(flags.dryRun));
    const { before, after, plans } = planWorkspace(
      this.repos,
      recorded,
      { platform: to, services: recorded.services },
      generatorId,
      this.change.describe(this.name),
    );
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
    const environments = after.environments.map((e) => e.name);
    const done = this.change.command === 'env add' ? 'Added' : 'Removed';
    const report: WorkspaceReport = workspaceReport({
      command: this.change.command,
      subject: this.name,
      headline: `${done} environment ${this.name}; the order is now ${environments.join(' -> ')}`,
      environments,
      plans: this.plans.map(({ repo, planned }) => ({ where: repo.where, planned })),
      dryRun: Boolean(this.flags.dryRun),
      committed,
      diff: Boolean(this.flags.diff),
      nextSteps: this.change.steps({
        name: this.name,
        before,
        after,
        repos: this.repos,
        destructions: this.destructions,
        committed,
      }),
    });
    this.report(report, workspaceText(report));
  }
}

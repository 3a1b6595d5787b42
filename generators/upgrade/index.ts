/**
 * `yo gitops-platform:upgrade` / `gitops-platform upgrade`: brings this version's templates (and
 * answers changed on the command line) into the repos around the current folder. plan.ts works out
 * every repo's upgrade and applies it; report.ts says what happened and with which exit code.
 */
import type { Destruction } from '../lib/answer-changes.ts';
import type { Flags } from '../lib/answers/table.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { upgradeCommand } from './command.ts';
import { applyUpgrades, pendingUpgrades, planWorkspaceUpgrade, type RepoUpgrade } from './plan.ts';
import { upgradeOutcome, upgradeReport, upgradeText } from './report.ts';

export default class UpgradeGenerator extends CommandGenerator {
  private flags: Flags = {};
  private plans: RepoUpgrade[] = [];
  /** Fields whose recorded values differ between the repos. */
  private differing: string[] = [];
  /** Destructive answer changes allowed by --allow-destroy. */
  private destructions: Destruction[] = [];

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, upgradeCommand);
  }

  initializing(): void {
    const { flags, given } = this.readCommandLine();
    this.flags = flags;
    ({
      plans: this.plans,
      differing: this.differing,
      destructions: this.destructions,
    } = planWorkspaceUpgrade(this.destinationRoot(), flags, given));
  }

  async writing(): Promise<void> {
    const review = Boolean(this.flags.dryRun || this.flags.check);
    const commit = Boolean(this.flags.commit);
    const pending = review ? [] : pendingUpgrades(this.plans, commit);
    if (pending.length > 0) await applyUpgrades(pending, { commit });
    const { exitCode, outcome } = upgradeOutcome(this.plans, { review, commit, differing: this.differing });
    if (exitCode !== 0) process.exitCode = exitCode;
    const report = upgradeReport(this.plans, {
      cwd: this.destinationRoot(),
      mode: this.flags.check ? 'check' : this.flags.dryRun ? 'dry-run' : 'apply',
      exitCode,
      outcome,
      differing: this.differing,
      destructive: this.destructions,
      allowDestroy: Boolean(this.flags.allowDestroy),
      diff: Boolean(this.flags.diff),
    });
    this.report(report, upgradeText(report));
  }
}

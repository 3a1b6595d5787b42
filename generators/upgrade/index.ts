import { basename } from 'node:path';
import { checkAnswerChange, type Destruction, differingAnswers } from '../lib/answer-changes.ts';
import type { Flags } from '../lib/answers/table.ts';
import { checkGiven, checkServices, completePlatform } from '../lib/answers/validate.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { UsageError } from '../lib/errors.ts';
import { reposAround } from '../lib/repos/locate.ts';
import { recordedAnswers } from '../lib/repos/state.ts';
import { upgradeCommand } from './command.ts';
import { applyUpgrades, checkClean, hasWork, planUpgrades, type RepoUpgrade } from './plan.ts';
import { replay, replayHere } from './replay.ts';
import { upgradeReport, upgradeText } from './report.ts';

const EXIT_PENDING = 2;
const EXIT_CONFLICTS = 3;

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
    const overrides = checkGiven(given);
    const inputs = reposAround(this.destinationRoot()).map((repo) => {
      const { platform, services } = recordedAnswers(repo.state);
      // The changed answers pass every rule again, including those across answers.
      const target = completePlatform({ ...platform, ...overrides }, false);
      checkServices(services, target);
      return { repo, recorded: { answers: platform, services }, target };
    });
    // Repos of one workspace that record different answers (one upgraded alone) stay different
    // unless the command line sets the field for all of them.
    this.differing = differingAnswers(inputs.map((i) => ({ name: basename(i.repo.dir), answers: i.target })));
    if (this.differing.length > 0 && !flags.dryRun && !flags.check) {
      throw new UsageError(
        [
          'The repos record different answers; pass the flag of each field to choose one value for all of them (nothing was written):',
          ...this.differing.map((line) => `  - ${line}`),
        ].join('\n'),
      );
    }
    const found = new Map<string, Destruction>();
    for (const input of inputs) {
      // A dry run writes nothing, so it shows a destructive change without asking for consent.
      const consent = Boolean(flags.allowDestroy || flags.dryRun || flags.check);
      for (const d of checkAnswerChange(input.recorded.answers, input.target, consent)) {
        found.set(d.what, d);
      }
    }
    this.destructions = [...found.values()];
    this.plans = planUpgrades(inputs, replay, replayHere);
    if (!flags.dryRun && !flags.check) checkClean(this.plans);
  }

  async writing(): Promise<void> {
    const pending = this.plans.filter(hasWork);
    const conflicts = this.plans.flatMap((p) => p.changes.filter((c) => c.action === 'conflict'));
    const review = this.flags.dryRun || this.flags.check;
    let exitCode = 0;
    let outcome: string;
    if (review) {
      const behind = pending.length > 0 || this.differing.length > 0;
      exitCode = behind ? EXIT_PENDING : 0;
      outcome = behind ? 'Pending changes; nothing was written.' : 'Up to date.';
    } else if (pending.length === 0) {
      outcome = 'Up to date: nothing to do.';
    } else {
      if (this.flags.commit && conflicts.length > 0) {
        throw new UsageError(
          `Refusing to commit: the upgrade leaves ${conflicts.length} conflict(s). Nothing was written. ` +
            'Run it without --commit, resolve the conflicts, then commit.',
        );
      }
      await applyUpgrades(pending, { commit: Boolean(this.flags.commit) });
      outcome = this.flags.commit ? 'Upgraded and committed.' : 'Upgraded; review with `git diff --cached` and commit.';
      if (conflicts.length > 0) {
        exitCode = EXIT_CONFLICTS;
        outcome = conflictOutcome(conflicts.filter((c) => c.stages).length, conflicts.length);
      }
    }
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

/** What an upgrade that left conflicts says: markers to resolve, and files without a base to merge. */
function conflictOutcome(marked: number, all: number): string {
  const parts: string[] = [];
  if (marked > 0) {
    parts.push(
      `${marked} conflict(s) left for you: resolve the markers, \`git add\` the files, then commit. ` +
        '`git status` lists them as unmerged.',
    );
  }
  if (all > marked) {
    parts.push(
      `${all - marked} file(s) differ from what was generated and from what this version generates, and ` +
        'without the recorded version there is no base to merge them: they were left as they are. Bring the ' +
        'template changes into them by hand; until then the recorded version stays and upgrade lists them.',
    );
  }
  return parts.join('\n');
}

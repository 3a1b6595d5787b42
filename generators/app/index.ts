/**
 * `yo gitops-platform` / `gitops-platform new`: a new platform. Asks for missing answers (Yeoman's
 * prompts, built by lib/answers/yeoman.ts and checked as they are answered), renders the three
 * repos with the pure renderer and hands them to the workspace writer (lib/repos/create.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWERS_FILE, answersFileText } from '../lib/answers/file.ts';
import {
  type AnswerKey,
  answerKeys,
  answerSpec,
  type Flags,
  type PlatformAnswers,
  type ServiceAnswers,
} from '../lib/answers/table.ts';
import { checkGiven, completeAnswers, defaultFor, type RawAnswers, ruleAtPrompt } from '../lib/answers/validate.ts';
import { accountQuestion, questionFor } from '../lib/answers/yeoman.ts';
import { CommandGenerator, type CommandOptions } from '../lib/command-generator.ts';
import { Declined } from '../lib/errors.ts';
import { buildModel } from '../lib/model.ts';
import { renderWorkspace } from '../lib/render/render.ts';
import { answerLines } from '../lib/report.ts';
import { assertAbsent, createRepos, type NewRepo, newRepo } from '../lib/repos/create.ts';
import { checkFolder, removeStaleStaging } from '../lib/repos/folders.ts';
import { commitAuthor } from '../lib/repos/git.ts';
import { generatorId } from '../lib/version.ts';
import { newCommand } from './command.ts';
import { newReport, newText } from './report.ts';

export default class NewPlatformGenerator extends CommandGenerator {
  private flags: Flags = {};
  private given: RawAnswers = {};
  /** The given answers, checked and typed (prompt defaults are computed from them). */
  private known: Record<string, unknown> = {};
  private repos: NewRepo[] = [];
  private workspace = '';
  private answers?: { platform: PlatformAnswers; service: ServiceAnswers };

  constructor(args?: string[], options?: CommandOptions) {
    super(args, options, newCommand);
  }

  initializing(): void {
    ({ flags: this.flags, given: this.given } = this.readCommandLine());
    this.known = checkGiven(this.given);
  }

  async prompting(): Promise<void> {
    // --json is for scripts: it asks nothing unless --interactive says so.
    const interactive = this.flags.interactive ?? (Boolean(process.stdin.isTTY) && !this.json);
    if (this.flags.defaults || !interactive) return;
    // Ask, one at a time and in table order, only for answers that were not given; each answer is
    // checked at its prompt by its own rule and by the rules across the answers known so far.
    const known = this.known;
    let asked = false;
    for (const key of answerKeys.filter((k: AnswerKey) => this.given[k] === undefined && answerSpec(k).prompt)) {
      const value = await this._ask(
        questionFor(key, defaultFor(key, known, false), (candidate) => ruleAtPrompt(key, candidate, known)),
      );
      asked = true;
      if (value === '' && answerSpec(key).optional) continue;
      this.given[key] = value;
      Object.assign(known, checkGiven({ [key]: value }));
      if (key === 'environments' && this.given.accounts === undefined) await this._askAccounts();
    }
    if (asked) await this._confirm();
  }

  /** One question, its answer. */
  private async _ask(question: { name: string; type: string; message: string; default?: unknown }): Promise<unknown> {
    // biome-ignore lint/suspicious/noExplicitAny: Yeoman's question type is a union per prompt type.
    const answers = (await this.prompt([question as any])) as Record<string, unknown>;
    return answers[question.name];
  }

  /** One account per environment, the platform account by default; only the others are kept. */
  private async _askAccounts(): Promise<void> {
    const fallback = this.known.awsAccountId as string;
    const accounts: Record<string, string> = {};
    for (const env of this.known.environments as string[]) {
      const account = String(await this._ask(accountQuestion(env, fallback))).trim();
      if (account !== fallback) accounts[env] = account;
    }
    this.given.accounts = accounts;
    Object.assign(this.known, checkGiven({ accounts }));
  }

  /** The answers once more, then "Generate?", and an offer to keep them in an answers file. */
  private async _confirm(): Promise<void> {
    const { platform, service } = completeAnswers(this.given, false);
    this.say(['', 'Answers:', ...answerLines(platform, service), '']);
    const generate = await this._ask({ type: 'confirm', name: 'generate', message: 'Generate?', default: true });
    if (!generate) throw new Declined('Not generated; nothing was written.');
    if (existsSync(join(this.destinationRoot(), ANSWERS_FILE))) return;
    const message = `Save these answers to ${ANSWERS_FILE} (to run again with --answers ${ANSWERS_FILE})?`;
    if (await this._ask({ type: 'confirm', name: 'save', message, default: false })) {
      writeFileSync(join(this.destinationRoot(), ANSWERS_FILE), answersFileText(platform, service), { flag: 'wx' });
      this.log(`Saved ${ANSWERS_FILE}.`);
    }
  }

  configuring(): void {
    const { platform, service } = completeAnswers(this.given, Boolean(this.flags.defaults));
    const model = buildModel(platform, [service], generatorId);
    this.workspace = checkFolder(this.destinationRoot(), this._outputFolder());
    this.repos = renderWorkspace(model).map((rendered) =>
      newRepo(rendered, platform, [service], { skipInstall: this.flags.skipInstall }),
    );
    assertAbsent(this.workspace, this.repos);
    this.answers = { platform, service };
  }

  async writing(): Promise<void> {
    if (this.flags.dryRun) return;
    for (const stale of removeStaleStaging(this.workspace)) {
      this.log(`Removed ${stale}, left by a run that was killed.`);
    }
    await createRepos(this.workspace, this.repos, { git: !this.flags.skipGit, folder: this._outputFolder() });
  }

  end(): void {
    const report = newReport({
      repos: this.repos,
      workspace: this.workspace,
      ...(this.answers as { platform: PlatformAnswers; service: ServiceAnswers }),
      dryRun: Boolean(this.flags.dryRun),
      skipInstall: Boolean(this.flags.skipInstall),
      skipGit: Boolean(this.flags.skipGit),
      author: commitAuthor(),
    });
    this.report(report, newText(report));
  }

  private _outputFolder() {
    return { option: '--output', given: this.flags.output ?? '.' };
  }
}

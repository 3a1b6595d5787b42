/**
 * `new` in a terminal, answered at its prompts as a user would (test/support/pty.ts): rules across
 * answers are checked at the prompt that can fix them, every environment is asked for its account,
 * the Kubernetes version is a select, the answers are shown once more before "Generate?", and they
 * can be kept in an answers file that gives the same platform again. Saying no writes nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWERS_FILE } from '../generators/lib/answers/file.ts';
import { keys, terminal } from './support/pty.ts';
import { tempDir } from './support/temp.ts';
import { repoRoot, treeState } from './support/workspace.ts';

const bin = join(repoRoot, 'bin', 'gitops-platform.js');
const command = (args: string) => `exec ${process.execPath} ${bin} new --skip-install ${args}`;

/** Answers the prompts up to the service name, the way a new user would. */
async function answerPlatform(t: ReturnType<typeof terminal>) {
  await t.waitFor(/Organization name/);
  t.type(`globex${keys.enter}`);
  await t.waitFor(/GitHub owner of the repos/);
  t.type(keys.enter); // the default: the org
  await t.waitFor(/AWS account ID/);
  t.type(`111111111111${keys.enter}`);
  await t.waitFor(/AWS region/);
  t.type(keys.enter);
  await t.waitFor(/Environments, in promotion order/);
  t.type(`dev,prod${keys.enter}`);
  await t.waitFor(/AWS account of dev \(12 digits\) \(111111111111\)/);
  t.type(keys.enter);
  await t.waitFor(/AWS account of prod/);
  t.type(`222222222222${keys.enter}`);
  // A select, not the deprecated list: arrows and enter, the default marked.
  await t.waitFor(/Kubernetes version[\s\S]*❯ 1\.34/);
  t.type(keys.enter);
  await t.waitFor(/DNS domain for ingress hosts/);
  t.type(keys.enter);
  await t.waitFor(/IAM role ARNs of the cluster administrators/);
  // A role of an account where no environment runs: refused at this prompt, not after the last.
  const stranger = 'arn:aws:iam::999999999999:role/admin';
  t.type(`${stranger}${keys.enter}`);
  await t.waitFor(
    // (The terminal wraps the message at 80 columns.)
    /clusterAdmins arn:aws:iam::999999999999:role\/admin is a role of account[\s\S]*where no environment runs/,
  );
  t.type(`${keys.backspace.repeat(stranger.length)}${keys.enter}`);
}

describe('new in a terminal', function () {
  this.timeout(60_000);

  it('checks a rule across answers at the prompt that can fix it, confirms, and keeps the answers in a file', async () => {
    const dir = tempDir('prompts');
    const t = terminal(command('--output ws'), dir);
    await answerPlatform(t);
    await t.waitFor(/Name of the first service/);
    // A name that clashes with the infra repo: refused right there, not after every prompt.
    t.type(`globex-infra${keys.enter}`);
    await t.waitFor(/service clashes with the repo name globex-infra/);
    t.type(`${keys.backspace.repeat('globex-infra'.length)}web${keys.enter}`);
    await t.waitFor(/Service port/);
    t.type(keys.enter);
    await t.waitFor(/Answers:\n {2}org +globex\n[\s\S]* {2}accounts +prod=222222222222\n[\s\S]* {2}service +web\n/);
    await t.waitFor(/Generate\? \(Y\/n\)/);
    t.type(keys.enter);
    await t.waitFor(new RegExp(`Save these answers to ${ANSWERS_FILE.replace('.', '\\.')}`));
    t.type(`y${keys.enter}`);
    assert.equal(await t.exited, 0, t.screen());
    assert.match(t.screen(), /Wrote \d+ files in 3 repos/);
    assert.deepEqual(readdirSync(join(dir, 'ws')).sort(), ['globex-gitops', 'globex-infra', 'web']);
    // The saved answers give the same platform again, without a prompt.
    const saved = readFileSync(join(dir, ANSWERS_FILE), 'utf8');
    assert.match(saved, /^awsAccountId: "111111111111"$/m);
    const again = terminal(command(`--answers ${ANSWERS_FILE} --output again`), dir);
    assert.equal(await again.exited, 0, again.screen());
    assert.doesNotMatch(again.screen(), /\?/, 'no prompt: every answer came from the file');
    assert.deepEqual(treeState(join(dir, 'again'), false), treeState(join(dir, 'ws'), false));
  });

  it('writes nothing when the answer to "Generate?" is no', async () => {
    const dir = tempDir('prompts-no');
    const t = terminal(command('--output ws'), dir);
    await answerPlatform(t);
    await t.waitFor(/Name of the first service/);
    t.type(keys.enter);
    await t.waitFor(/Service port/);
    t.type(keys.enter);
    await t.waitFor(/Generate\? \(Y\/n\)/);
    t.type(`n${keys.enter}`);
    assert.equal(await t.exited, 0, t.screen());
    assert.match(t.screen(), /Not generated; nothing was written\./);
    assert.equal(existsSync(join(dir, 'ws')), false);
    assert.equal(existsSync(join(dir, ANSWERS_FILE)), false);
  });
});

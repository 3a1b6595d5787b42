/**
 * Interrupts are failures, not crashes: `new`, `service`, `upgrade`, `env add`, `env remove` and `service remove` are stopped by SIGINT or
 * SIGTERM at every checkpoint of their run (the test seam GITOPS_PLATFORM_TEST_INTERRUPT, see
 * lib/process/interrupt.ts) and at moments in between (a real kill after a delay), and must leave
 * the workspace exactly as it was, exit 130 or 143 and say one line. A signal after the change is
 * complete leaves it complete. Ctrl-C and SIGTERM at a prompt run in a pseudo-terminal (`script`).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './support/temp.ts';
import { assertSameState, bin, madeWorkspace, runBin, workspaceState } from './support/workspace.ts';

const INTERRUPTED = 'Interrupted; nothing was changed.\n';
const KEPT = 'Interrupted after the change was complete; it was kept.\n';

function runAt(args: string[], cwd: string, seam?: string) {
  return runBin(cwd, args, { ...process.env, GITOPS_PLATFORM_TEST_INTERRUPT: seam ?? '' });
}

/** Setups that each give a fresh copy of one workspace (made once, when first asked for). */
function copies(prefix: string, newArgs: string[] = [], prepare?: (ws: string) => void): Scenario['setup'] {
  let base: string | undefined;
  let n = 0;
  return () => {
    if (base === undefined) {
      base = madeWorkspace('interrupt', newArgs);
      prepare?.(base);
    }
    const ws = join(base, '..', `${prefix}-${n++}`);
    cpSync(base, ws, { recursive: true });
    return { cwd: ws, compared: ws };
  };
}

interface Scenario {
  command: string;
  args: string[];
  /** The folder the command runs in, made fresh for each run; returns the folder to compare. */
  setup: () => { cwd: string; compared: string };
}

const scenarios: Scenario[] = [
  {
    command: 'new',
    args: ['new', '--defaults', '--skip-install', '--output', 'ws'],
    setup: () => {
      const dir = tempDir('interrupt-new');
      mkdirSync(join(dir, 'notes'));
      return { cwd: dir, compared: dir };
    },
  },
  { command: 'service', args: ['service', 'web', '--skip-install'], setup: copies('service') },
  { command: 'upgrade', args: ['upgrade', '--domain', 'example.com', '--commit'], setup: copies('upgrade') },
  { command: 'env add', args: ['env', 'add', 'staging'], setup: copies('env-add') },
  {
    command: 'env remove',
    args: ['env', 'remove', 'staging', '--allow-destroy'],
    setup: copies('env-remove', ['--environments', 'dev,staging,prod']),
  },
  {
    command: 'service remove',
    args: ['service', 'remove', 'web', '--allow-destroy'],
    // A second service, merged into main as its pull requests would be.
    setup: copies('service-remove', [], (ws) => {
      const added = runAt(['service', 'web', '--skip-install'], join(ws, 'acme-gitops'));
      if (added.status !== 0) throw new Error(added.stderr);
      for (const repo of ['acme-infra', 'acme-gitops']) {
        for (const args of [
          ['checkout', '-q', 'main'],
          ['merge', '-q', '--ff-only', 'add-service-web'],
          ['branch', '-q', '-d', 'add-service-web'],
        ]) {
          const r = spawnSync('git', args, { cwd: join(ws, repo), encoding: 'utf8' });
          if (r.status !== 0) throw new Error(r.stderr);
        }
      }
    }),
  },
];

/** The checkpoints of a full run, as the seam lists them; the run itself must succeed. */
function checkpointsOf(scenario: Scenario): { names: string[]; ms: number } {
  const { cwd } = scenario.setup();
  const started = Date.now();
  const result = runAt(scenario.args, cwd, 'list');
  const ms = Date.now() - started;
  assert.equal(result.status, 0, result.stderr);
  const names = [...result.stderr.matchAll(/^checkpoint (\d+) (.+)$/gm)].map((m) => m[2]);
  return { names, ms };
}

for (const scenario of scenarios) {
  describe(`interrupting ${scenario.command}`, function () {
    this.timeout(180_000);

    it('at every checkpoint (ten or more), leaves the workspace as it was, or complete once past the point of no return', () => {
      const { names } = checkpointsOf(scenario);
      assert.ok(names.length >= 10, `only ${names.length} checkpoints: ${names.join(', ')}`);
      // After the last checkpoint of the change itself, only the report is left.
      const last = names.findLastIndex((name) => !name.endsWith('#end'));
      names.forEach((name, i) => {
        const signal = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
        const { cwd, compared } = scenario.setup();
        const before = workspaceState(compared);
        const result = runAt(scenario.args, cwd, `${i + 1}:${signal}`);
        const where = `${signal} at checkpoint ${i + 1} (${name})`;
        if (i > last) {
          assert.equal(result.status, 0, `${where}: ${result.stderr}`);
          assert.equal(result.stderr.endsWith(KEPT), true, `${where}: ${result.stderr}`);
          assert.notDeepEqual(workspaceState(compared), before, `${where}: the change was not kept`);
          return;
        }
        assert.equal(result.status, signal === 'SIGINT' ? 130 : 143, `${where}: ${result.stderr}`);
        assert.equal(result.stderr, INTERRUPTED, where);
        assertSameState(workspaceState(compared), before, `${where}: the workspace changed`);
      });
    });

    it('killed at moments between checkpoints, is either unchanged (exit 130) or complete (exit 0)', async () => {
      const { ms } = checkpointsOf(scenario);
      const outcomes: string[] = [];
      for (const fraction of [0.3, 0.45, 0.6, 0.75, 0.9]) {
        const { cwd, compared } = scenario.setup();
        const before = workspaceState(compared);
        const child = spawn(process.execPath, [bin, ...scenario.args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        const exited = new Promise<[number | null, string | null]>((resolve) =>
          child.on('close', (code, signal) => resolve([code, signal])),
        );
        await new Promise((resolve) => setTimeout(resolve, Math.round(ms * fraction)));
        child.kill('SIGINT');
        const [code, signal] = await exited;
        const after = workspaceState(compared);
        const at = `SIGINT at ${fraction} of ${ms} ms`;
        if (code === 0) {
          assert.notDeepEqual(after, before, `${at}: exit 0, but nothing changed`);
          outcomes.push('complete');
        } else {
          // Before node has run a line of the bin, the signal ends it as it would any program.
          assert.ok(code === 130 || signal === 'SIGINT', `${at}: exit ${code} ${signal}: ${stderr}`);
          assertSameState(after, before, `${at}: exit ${code} ${signal}, but the workspace changed: ${stderr}`);
          outcomes.push('unchanged');
        }
      }
      assert.ok(outcomes.includes('unchanged'), `no kill landed before the end: ${outcomes.join(', ')}`);
    });
  });
}

describe('interrupting a run that was killed', () => {
  it('the staging folder of a killed `new` is removed by the next run', function () {
    this.timeout(60_000);
    const dir = tempDir('interrupt-killed');
    // Killed (SIGKILL cannot be caught) once the first repo is written into its staging folder.
    const killed = runAt(['new', '--defaults', '--skip-install', '--output', 'ws'], dir, '6:SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const left = readdirSync(join(dir, 'ws'));
    assert.equal(left.length, 1);
    assert.match(left[0], /^\.gitops-platform-staging-\d+-/);
    const next = runAt(['new', '--defaults', '--skip-install', '--output', 'ws'], dir);
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, /Removed .*\.gitops-platform-staging-\d+-\w+, left by a run that was killed\./);
    assert.deepEqual(readdirSync(join(dir, 'ws')).sort(), ['acme-gitops', 'acme-infra', 'api']);
  });
});

describe('interrupting a prompt (in a pseudo-terminal)', () => {
  /** Runs `new` in a terminal made by `script`, types `keys` after it shows its first prompt. */
  async function atPrompt(act: (child: ReturnType<typeof spawn>, pid: () => number) => void) {
    const dir = tempDir('interrupt-prompt');
    const command = `exec ${process.execPath} ${bin} new --skip-install --output ws`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Organization name') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(output.includes('Organization name'), `no prompt: ${output}`);
    // `script` runs the command as its child (exec keeps one process): the node process's pid.
    const pid = () => Number(spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim());
    act(child, pid);
    const code = await exited;
    return { code, output, dir };
  }

  it('Ctrl-C at a prompt: one line, exit 130, nothing written', async function () {
    this.timeout(60_000);
    const { code, output, dir } = await atPrompt((child) => {
      child.stdin?.write('myorg\r');
      setTimeout(() => child.stdin?.write('\x03'), 500);
    });
    assert.equal(code, 130, output);
    assert.match(output, /Interrupted; nothing was changed\./);
    assert.doesNotMatch(output, /ExitPromptError|force closed|at .*:\d+:\d+/);
    assert.equal(existsSync(join(dir, 'ws')), false);
  });

  it('SIGTERM while a prompt waits: one line, exit 143, nothing written', async function () {
    this.timeout(60_000);
    const { code, output, dir } = await atPrompt((_child, pid) => process.kill(pid(), 'SIGTERM'));
    assert.equal(code, 143, output);
    assert.match(output, /Interrupted; nothing was changed\./);
    assert.equal(existsSync(join(dir, 'ws')), false);
  });
});

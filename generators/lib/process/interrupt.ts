/**
 * Interrupts are failures, not crashes. While a command runs, SIGINT and SIGTERM do not end the
 * process: the first one is recorded, child processes started with `childSignal()` are stopped,
 * and the next `checkpoint()` throws `Interrupted`, which takes the same rollback as any error.
 * Signals reach JavaScript only between turns of the event loop, so every step that changes files
 * awaits a checkpoint; after `pointOfNoReturn()` (the change is complete) checkpoints no longer
 * throw, and the command finishes as it would have.
 *
 * Test seam: GITOPS_PLATFORM_TEST_INTERRUPT=list prints each checkpoint's number and name to
 * stderr; `<n>` or `<n>:SIGTERM` makes the process send itself SIGINT (or SIGTERM) at checkpoint
 * n, so a test can stop a command at every point of its run.
 */
import { CommandError, Interrupted, type InterruptSignal } from '../errors.ts';

const SIGNALS: InterruptSignal[] = ['SIGINT', 'SIGTERM'];

let received: InterruptSignal | undefined;
let controller = new AbortController();
let committed = false;
let guards = 0;
let passed = 0;
const listeners = new Set<(signal: InterruptSignal) => void>();

function onSignal(signal: InterruptSignal): void {
  if (received) return; // a second Ctrl-C while the rollback runs: it finishes first
  received = signal;
  controller.abort(new Interrupted(signal));
  for (const listener of listeners) listener(signal);
}

/**
 * Takes over SIGINT and SIGTERM for one command's run; returns what gives them back. Nested runs
 * (yeoman-test runs several generators in one process) share one pair of handlers.
 */
export function guardSignals(): () => void {
  if (guards++ === 0) {
    received = undefined;
    committed = false;
    passed = 0;
    controller = new AbortController();
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--guards === 0) for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

/** The signal that interrupted the current run, if one did. */
export function interruptedBy(): InterruptSignal | undefined {
  return received;
}

/** Called once on the first signal (e.g. to cancel a prompt that waits for input); returns its removal. */
export function onInterrupt(listener: (signal: InterruptSignal) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For `spawn`/`execFile`: aborted (the child is killed) when the run is interrupted. */
export function childSignal(): AbortSignal {
  return controller.signal;
}

/** The change is complete: from here on a signal no longer undoes it. */
export function pointOfNoReturn(): void {
  committed = true;
}

/** Throws Interrupted when a signal arrived (and the change is not complete yet). */
function throwIfInterrupted(): void {
  if (received && !committed) throw new Interrupted(received);
}

function testSeam(name: string): void {
  const seam = process.env.GITOPS_PLATFORM_TEST_INTERRUPT;
  if (!seam) return;
  passed += 1;
  if (seam === 'list') {
    process.stderr.write(`checkpoint ${passed} ${name}\n`);
    return;
  }
  const [at, signal = 'SIGINT'] = seam.split(':');
  if (Number(at) === passed) process.kill(process.pid, signal as InterruptSignal);
}

/**
 * Lets a pending signal be seen (one turn of the event loop), then throws Interrupted if one
 * arrived. `name` says where the run is, for the test seam.
 */
export async function checkpoint(name: string): Promise<void> {
  testSeam(name);
  if (guards > 0) await new Promise((resolve) => setImmediate(resolve));
  throwIfInterrupted();
}

/**
 * An error as the command reports it. Interrupts seen at a checkpoint, or by a child process they
 * killed, are already Interrupted (thrown after the rollback succeeded; a failed rollback throws
 * its own error, which must not read "nothing was changed"). Left to name: Ctrl-C at an inquirer
 * prompt (a key press in raw mode, not a signal) and a prompt cancelled by a signal.
 */
export function asReported(error: unknown): unknown {
  if (error instanceof CommandError || !(error instanceof Error)) return error;
  if (error.name === 'ExitPromptError') return new Interrupted('SIGINT');
  if (received && (error.name === 'AbortPromptError' || error.name === 'AbortError')) return new Interrupted(received);
  return error;
}

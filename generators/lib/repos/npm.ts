/**
 * The one package-manager step of generation: a service repo gets its package-lock.json at
 * generation time, so its CI can run `npm ci` from the first commit. Only the lockfile is resolved
 * (`--package-lock-only`: no node_modules, no install scripts), which keeps it quick; it runs while
 * the other repos are committed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Interrupted, UsageError } from '../errors.ts';
import { childSignal } from '../process/interrupt.ts';

export function writeLockfile(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'package.json'))) return Promise.resolve();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  const signal = childSignal();
  return new Promise((resolve, reject) => {
    const child = execFile(npm, args, { cwd: dir, encoding: 'utf8', timeout: 300_000, signal }, (error, _o, stderr) => {
      if (!error) return resolve();
      if (signal.aborted) {
        // execFile calls back as soon as it kills npm; the rollback waits until npm has exited.
        if (child.exitCode !== null || child.signalCode !== null) return reject(signal.reason);
        child.once('close', () => reject(signal.reason));
        return;
      }
      // npm in the same process group as a terminal's Ctrl-C
      if (error.signal === 'SIGINT' || error.signal === 'SIGTERM') return reject(new Interrupted(error.signal));
      reject(
        new UsageError(
          `npm could not resolve the service's dependencies (nothing was written):\n${(stderr || String(error)).trim()}\n` +
            'Check the npm registry is reachable, or pass --skip-install and run `npm install` in the service repo later.',
        ),
      );
    });
  });
}

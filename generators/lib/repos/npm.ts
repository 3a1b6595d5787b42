/**
 * The one package-manager step of generation: a service repo gets its package-lock.json at
 * generation time, so its CI can run `npm ci` from the first commit. Only the lockfile is resolved
 * (`--package-lock-only`: no node_modules, no install scripts), which keeps it quick.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

export function writeLockfile(dir: string): void {
  if (!existsSync(join(dir, 'package.json'))) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(
    npm,
    ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, encoding: 'utf8', timeout: 300_000 },
  );
  if (result.status !== 0) {
    throw new UsageError(
      `npm could not resolve the service's dependencies (nothing was written):\n${(result.stderr || String(result.error)).trim()}\n` +
        'Check the npm registry is reachable, or pass --skip-install and run `npm install` in the service repo later.',
    );
  }
}

/**
 * A workspace grown by the real commands: `new --defaults`, then three `service` adds, each a whole
 * bin process whose branches are merged into main before the next. The tool tests validate its repos like freshly rendered ones (issue: "after adding
 * three services, the full validation suite passes on every repo"). Made once per test run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.ts';
import { repoRoot } from './workspace.ts';

export const addedServices = [
  { name: 'orders', port: '8081' },
  { name: 'billing', port: '9090' },
  { name: 'web-frontend', port: '3000' },
];

let made: string | undefined;

export function grownWorkspace(): string {
  if (made) return made;
  const bin = join(repoRoot, 'bin', 'gitops-platform.js');
  if (!existsSync(join(repoRoot, 'dist', 'cli.cjs'))) throw new Error('run `npm run build` first (npm test does)');
  const ws = tempDir('grown');
  const run = (args: string[]) => {
    const result = spawnSync(process.execPath, [bin, ...args], {
      cwd: ws,
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    if (result.status !== 0) throw new Error(`gitops-platform ${args.join(' ')} failed:\n${result.stderr}`);
  };
  const git = (repo: string, args: string[]) => {
    const result = spawnSync('git', args, { cwd: join(ws, repo), encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo} failed:\n${result.stderr}`);
  };
  // --skip-install: the app tests install and lock each app themselves.
  run(['new', '--defaults', '--skip-install']);
  for (const { name, port } of addedServices) {
    run(['service', name, '--port', port, '--skip-install']);
    // The team merges each add's pull requests before the next add (which starts from main).
    for (const repo of ['acme-infra', 'acme-gitops']) {
      git(repo, ['checkout', '--quiet', 'main']);
      git(repo, ['merge', '--quiet', '--ff-only', `add-service-${name}`]);
    }
  }
  made = ws;
  return ws;
}

/**
 * A test-only older version of the generator, without network: a copy of this package (the built
 * bin, the templates, package.json) with another version number and one template changed, its
 * bundle built again from the changed templates, placed where upgrade's version cache looks for
 * installed versions.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_NAME } from '../../generators/lib/repos/state.ts';
import { tempDir } from './temp.ts';
import { repoRoot } from './workspace.ts';

export interface FixtureVersion {
  cache: string;
  version: string;
  bin: string;
}

/**
 * `edit(templatesDir)` changes the older copy's templates; the current package stays the "new"
 * version. Needs the build (dist/cli.cjs).
 */
export function olderVersion(version: string, edit: (templates: string) => void): FixtureVersion {
  const cache = tempDir('versions');
  const pkg = join(cache, version, 'node_modules', PACKAGE_NAME);
  mkdirSync(pkg, { recursive: true });
  for (const part of ['bin', 'dist', 'templates']) cpSync(join(repoRoot, part), join(pkg, part), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
  edit(join(pkg, 'templates'));
  // The bin renders with templates compiled into its bundle: bundle the edited ones.
  const bundled = spawnSync(process.execPath, ['scripts/bundle.mjs'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, BUNDLE_TEMPLATES: join(pkg, 'templates'), BUNDLE_OUTFILE: join(pkg, 'dist', 'cli.cjs') },
    timeout: 120_000,
  });
  if (bundled.status !== 0) throw new Error(`bundling version ${version} failed: ${bundled.stderr}`);
  return { cache, version, bin: join(pkg, 'bin', 'gitops-platform.js') };
}

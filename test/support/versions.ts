/**
 * A test-only older version of the generator, without network: a copy of this package (the built
 * bin and bundle, the templates, package.json) with another version number and one template
 * changed, placed where upgrade's version cache looks for installed versions.
 */
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
  return { cache, version, bin: join(pkg, 'bin', 'gitops-platform.js') };
}

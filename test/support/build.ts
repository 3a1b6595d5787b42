/** Whether dist/ (what the bin and yo run) was built from the sources as they are now. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './workspace.ts';

/** The newest file under dir (path and mtime). */
function newest(dir: string): { path: string; mtime: number } {
  let best = { path: dir, mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const mtime = statSync(path).mtimeMs;
    if (mtime > best.mtime) best = { path, mtime };
  }
  return best;
}

/** Why dist/ is stale, or undefined when every build output is newer than every source. */
export function staleBuild(root = repoRoot): string | undefined {
  const outputs = [join(root, 'dist', 'cli.cjs'), join(root, 'dist', 'generators', 'app', 'index.js')];
  const missing = outputs.find((f) => !existsSync(f));
  if (missing) return `${relative(root, missing)} is missing`;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  for (const source of ['generators', 'templates']) {
    const latest = newest(join(root, source));
    if (latest.mtime > built) return `${relative(root, latest.path)} is newer than the build`;
  }
  return undefined;
}

/**
 * Temporary folders of tests. Each is made under os.tmpdir(), which test/support/setup.ts points
 * at a folder of this run, and removed at the end of the run; setup.ts then fails the run if
 * anything else is left there, so a test or tool that litters cannot go unnoticed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// On globalThis: mocha loads setup.ts through require and the tests through import, which gives
// each its own copy of this module; both must see one list.
const shared = globalThis as { gitopsPlatformTempDirs?: Set<string> };
shared.gitopsPlatformTempDirs ??= new Set<string>();
const made = shared.gitopsPlatformTempDirs;

/** A new empty folder, removed by removeTempDirs (or earlier by the test itself). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made in this process. */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

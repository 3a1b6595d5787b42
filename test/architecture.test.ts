/**
 * ARCHITECTURE.md's module table is the map of generators/: every module in it exists, and every
 * module under generators/ is in it, so the map cannot drift from the tree.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './support/workspace.ts';

function modulesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The `*.ts` paths named in the first column of the "Modules and what they may touch" table. */
function tableModules(markdown: string): string[] {
  const section = markdown.split('## Modules and what they may touch')[1]?.split('\n## ')[0];
  assert.ok(section, 'ARCHITECTURE.md has no "Modules and what they may touch" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+\.ts)`/g)].map((m) => m[1]));
}

describe('ARCHITECTURE.md', () => {
  const generators = join(repoRoot, 'generators');
  const tree = modulesUnder(generators)
    .map((path) => relative(generators, path))
    .sort();
  const table = tableModules(readFileSync(join(repoRoot, 'ARCHITECTURE.md'), 'utf8'));

  it('names every module under generators/ in its module table', () => {
    assert.deepEqual(
      tree.filter((path) => !table.includes(path)),
      [],
    );
  });

  it('names no module that does not exist, and none twice', () => {
    assert.deepEqual(
      table.filter((path) => !tree.includes(path)),
      [],
    );
    assert.equal(new Set(table).size, table.length, `listed twice: ${table.filter((p, i) => table.indexOf(p) !== i)}`);
  });
});

/**
 * mergeFile, the three-way merge of one file used by `service` and `upgrade`: base (rendered
 * before), ours (the team's file), theirs (rendered now). Each case asserts the exact content and
 * which path decided it (`how`), so a change of path shows even when the text happens to agree.
 */
import assert from 'node:assert/strict';
import { mergeFile } from '../generators/lib/merge.ts';

/** A file of these lines, each ended by a newline. */
const lines = (...text: string[]) => text.map((line) => `${line}\n`).join('');

/** The same three texts as a plain file: the line merge alone conflicts on them (so the structural merge is what avoided it). */
function assertLineMergeConflicts(base: string, ours: string, theirs: string): void {
  const asText = mergeFile('plain.txt', base, ours, theirs);
  assert.equal(asText.how, 'text');
  assert.equal(asText.conflicts, 1);
}

describe('mergeFile', () => {
  it('a change the data does not show (a comment) is not lost to the structural merge', () => {
    // Same data on both sides of the template change: only the comment differs.
    const base = lines('image:', '  # In prod the promote workflow copies it from dev.', '  digest: ""');
    const theirs = lines('image:', '  # In prod the promote workflow copies it from staging.', '  digest: ""');
    const ours = `${base}# team note\n`;
    assert.deepEqual(mergeFile('environments/prod/api.yaml', base, ours, theirs), {
      content: `${theirs}# team note\n`,
      conflicts: 0,
      how: 'text',
    });
  });

  describe('trivial cases', () => {
    // Not valid JSON: the trivial cases come before any parsing.
    const base = lines('{ "name": "api",', 'broken');
    const changed = lines('{ "name": "web",', 'broken');

    it('nobody changed it: unchanged', () => {
      assert.deepEqual(mergeFile('package.json', base, base, base), { content: base, conflicts: 0, how: 'unchanged' });
    });

    it('only ours changed it: ours is kept', () => {
      assert.deepEqual(mergeFile('package.json', base, changed, base), { content: changed, conflicts: 0, how: 'ours' });
    });

    it('only theirs changed it: theirs is taken', () => {
      assert.deepEqual(mergeFile('package.json', base, base, changed), {
        content: changed,
        conflicts: 0,
        how: 'theirs',
      });
    });

    it('both made the same change: that change, as ours', () => {
      assert.deepEqual(mergeFile('package.json', base, changed, changed), {
        content: changed,
        conflicts: 0,
        how: 'ours',
      });
    });
  });

  describe('YAML additions (structural)', () => {
    it('theirs adds a list item next to a line ours edited: merged, comments and the edit kept', () => {
      const base = lines(
        '# namespaces of the platform',
        'namespaces:',
        '  - api # first',
        '  - web',
        'replicas: 1 # per env',
      );
      const ours = lines(
        '# namespaces of the platform',
        'namespaces:',
        '  - api # first',
        '  - web # the site',
        'replicas: 1 # per env',
      );
      const theirs = lines(
        '# namespaces of the platform',
        'namespaces:',
        '  - api # first',
        '  - web',
        '  - jobs',
        'replicas: 1 # per env',
      );
      assert.deepEqual(mergeFile('apps/values.yaml', base, ours, theirs), {
        content: lines(
          '# namespaces of the platform',
          'namespaces:',
          '  - api # first',
          '  - web # the site',
          '  - jobs',
          'replicas: 1 # per env',
        ),
        conflicts: 0,
        how: 'structural',
      });
      assertLineMergeConflicts(base, ours, theirs);
    });

    it('theirs adds a map key while ours edited another key of that map: merged, comments and the edit kept', () => {
      const base = lines('# image of the service', 'image:', '  tag: v1 # pinned', '  pull: Always', 'port: 8080');
      const ours = lines(
        '# image of the service',
        'image:',
        '  tag: v1 # pinned',
        '  pull: IfNotPresent',
        'port: 8080',
      );
      const theirs = lines(
        '# image of the service',
        'image:',
        '  tag: v1 # pinned',
        '  pull: Always',
        '  registry: ghcr.io # mirror',
        'port: 8080',
      );
      assert.deepEqual(mergeFile('values.yml', base, ours, theirs), {
        content: lines(
          '# image of the service',
          'image:',
          '  tag: v1 # pinned',
          '  pull: IfNotPresent',
          '  registry: ghcr.io # mirror',
          'port: 8080',
        ),
        conflicts: 0,
        how: 'structural',
      });
    });

    it('ours deleted the lines after a list theirs adds to: merged, the deletion kept', () => {
      const base = lines('# services', 'namespaces:', '  - api', '  - web', '# scaling', 'replicas: 1', 'port: 8080');
      const ours = lines('# services', 'namespaces:', '  - api', '  - web', 'port: 8080');
      const theirs = lines(
        '# services',
        'namespaces:',
        '  - api',
        '  - web',
        '  - jobs',
        '# scaling',
        'replicas: 1',
        'port: 8080',
      );
      assert.deepEqual(mergeFile('values.yaml', base, ours, theirs), {
        content: lines('# services', 'namespaces:', '  - api', '  - web', '  - jobs', 'port: 8080'),
        conflicts: 0,
        how: 'structural',
      });
    });

    it('theirs adds two list items at one place: both, in the order theirs has them', () => {
      const base = lines('namespaces:', '  - api', '  - web', 'replicas: 1');
      const ours = lines('namespaces:', '  - api', '  - web', 'replicas: 3');
      const theirs = lines('namespaces:', '  - api', '  - web', '  - jobs', '  - mail', 'replicas: 1');
      assert.deepEqual(mergeFile('values.yaml', base, ours, theirs), {
        content: lines('namespaces:', '  - api', '  - web', '  - jobs', '  - mail', 'replicas: 3'),
        conflicts: 0,
        how: 'structural',
      });
    });

    it("theirs adds two items at the start of a list, and two keys at the end of a map: in theirs' order", () => {
      const base = lines('namespaces:', '  - api', 'ecr:', '  push: true', 'replicas: 1');
      const ours = lines('namespaces:', '  - api', 'ecr:', '  push: true', 'replicas: 3');
      const theirs = lines(
        'namespaces:',
        '  - jobs',
        '  - mail',
        '  - api',
        'ecr:',
        '  push: true',
        '  pull: true',
        '  registry: main',
        'replicas: 1',
      );
      assert.deepEqual(mergeFile('values.yaml', base, ours, theirs), {
        content: lines(
          'namespaces:',
          '  - jobs',
          '  - mail',
          '  - api',
          'ecr:',
          '  push: true',
          '  pull: true',
          '  registry: main',
          'replicas: 3',
        ),
        conflicts: 0,
        how: 'structural',
      });
    });

    it('theirs changes a value (not only additions): the line merge decides', () => {
      const base = lines('a: 1', 'b: 2', 'c: 3');
      assert.deepEqual(mergeFile('values.yaml', base, lines('a: 9', 'b: 2', 'c: 3'), lines('a: 1', 'b: 2', 'c: 4')), {
        content: lines('a: 9', 'b: 2', 'c: 4'),
        conflicts: 0,
        how: 'text',
      });
    });

    it('a flow-style list is left to the line merge, which conflicts on adjacent edits', () => {
      const base = lines('namespaces: [api]', 'replicas: 1');
      const ours = lines('namespaces: [api]', 'replicas: 2');
      const theirs = lines('namespaces: [api, web]', 'replicas: 1');
      assert.deepEqual(mergeFile('values.yaml', base, ours, theirs), {
        content: lines(
          '<<<<<<< yours',
          'namespaces: [api]',
          'replicas: 2',
          '||||||| generated before',
          'namespaces: [api]',
          'replicas: 1',
          '=======',
          'namespaces: [api, web]',
          'replicas: 1',
          '>>>>>>> generated now',
        ),
        conflicts: 1,
        how: 'text',
      });
    });
  });

  describe('JSON additions (structural)', () => {
    it('theirs adds a key next to a value ours changed: merged, the change kept', () => {
      const base = lines('{', '  "name": "api",', '  "scripts": {', '    "build": "tsc"', '  }', '}');
      const ours = lines('{', '  "name": "api",', '  "scripts": {', '    "build": "tsc -p ."', '  }', '}');
      const theirs = lines(
        '{',
        '  "name": "api",',
        '  "scripts": {',
        '    "build": "tsc",',
        '    "test": "mocha"',
        '  }',
        '}',
      );
      assert.deepEqual(mergeFile('package.json', base, ours, theirs), {
        content: lines(
          '{',
          '  "name": "api",',
          '  "scripts": {',
          '    "build": "tsc -p .",',
          '    "test": "mocha"',
          '  }',
          '}',
        ),
        conflicts: 0,
        how: 'structural',
      });
      assertLineMergeConflicts(base, ours, theirs);
    });

    it('theirs appends two array items: both, in the order theirs has them', () => {
      const base = lines('{', '  "list": [', '    "api",', '    "web"', '  ],', '  "replicas": 1', '}');
      const ours = lines('{', '  "list": [', '    "api",', '    "web"', '  ],', '  "replicas": 3', '}');
      const theirs = lines(
        '{',
        '  "list": [',
        '    "api",',
        '    "web",',
        '    "jobs",',
        '    "mail"',
        '  ],',
        '  "replicas": 1',
        '}',
      );
      assert.deepEqual(mergeFile('apps.json', base, ours, theirs), {
        content: lines(
          '{',
          '  "list": [',
          '    "api",',
          '    "web",',
          '    "jobs",',
          '    "mail"',
          '  ],',
          '  "replicas": 3',
          '}',
        ),
        conflicts: 0,
        how: 'structural',
      });
    });
  });

  describe('line merge (git merge-file --diff3)', () => {
    it('both edited the same line: one conflict, diff3 markers holding both sides and the base', () => {
      const base = lines('one', 'two', 'three');
      assert.deepEqual(
        mergeFile('notes.txt', base, lines('one', 'two (ours)', 'three'), lines('one', 'two (theirs)', 'three')),
        {
          content: lines(
            'one',
            '<<<<<<< yours',
            'two (ours)',
            '||||||| generated before',
            'two',
            '=======',
            'two (theirs)',
            '>>>>>>> generated now',
            'three',
          ),
          conflicts: 1,
          how: 'text',
        },
      );
    });

    it('two overlapping hunks: conflicts counts both, markers carry the given labels', () => {
      const base = lines('1', '2', '3', '4', '5', '6', '7');
      const ours = lines('1', 'X', '3', '4', '5', 'Y', '7');
      const theirs = lines('1', 'x', '3', '4', '5', 'y', '7');
      const labels = { ours: 'mine', base: 'old', theirs: 'new' };
      assert.deepEqual(mergeFile('notes.txt', base, ours, theirs, labels), {
        content: lines(
          '1',
          '<<<<<<< mine',
          'X',
          '||||||| old',
          '2',
          '=======',
          'x',
          '>>>>>>> new',
          '3',
          '4',
          '5',
          '<<<<<<< mine',
          'Y',
          '||||||| old',
          '6',
          '=======',
          'y',
          '>>>>>>> new',
          '7',
        ),
        conflicts: 2,
        how: 'text',
      });
    });

    it('edits far apart: merged cleanly with both', () => {
      const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
      assert.deepEqual(
        mergeFile(
          'notes.txt',
          base,
          lines('A', 'b', 'c', 'd', 'e', 'f', 'g'),
          lines('a', 'b', 'c', 'd', 'e', 'f', 'G'),
        ),
        { content: lines('A', 'b', 'c', 'd', 'e', 'f', 'G'), conflicts: 0, how: 'text' },
      );
    });

    it('ours deleted lines while theirs added lines elsewhere: merged cleanly with both', () => {
      const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
      assert.deepEqual(
        mergeFile(
          'notes.txt',
          base,
          lines('a', 'd', 'e', 'f', 'g'),
          lines('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'),
        ),
        { content: lines('a', 'd', 'e', 'f', 'g', 'h', 'i'), conflicts: 0, how: 'text' },
      );
    });
  });
});

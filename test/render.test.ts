import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ParseError, parse as parseJsonc } from 'jsonc-parser';
import { parseAllDocuments } from 'yaml';
import { buildModel } from '../generators/lib/model.ts';
import { renderRepo, renderWorkspace } from '../generators/lib/render/render.ts';
import { freshStateFiles, MANIFEST, sha256, YO_RC } from '../generators/lib/repos/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import { grownWorkspace } from './support/added-services.ts';
import { type AnswerSetName, answerSets, answersFor, modelFor, readTree, repoRoot } from './support/workspace.ts';

const snapshotRoot = join(repoRoot, 'test', '__snapshots__');

describe('renderer', () => {
  it('is deterministic: two renders are byte-identical', () => {
    for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
      const first = JSON.stringify(renderWorkspace(modelFor(set)));
      const second = JSON.stringify(renderWorkspace(modelFor(set)));
      assert.equal(first, second);
    }
  });

  it('does not depend on the order services are listed in', () => {
    const { platform, service } = answersFor('full');
    const web = { name: 'web', port: 8081 };
    const a = buildModel(platform, [service, web], generatorId);
    const b = buildModel(platform, [web, service], generatorId);
    for (const kind of ['gitops', 'infra'] as const) assert.deepEqual(renderRepo(a, kind), renderRepo(b, kind));
  });

  it('writes no empty file and no leftover template syntax', () => {
    for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
      for (const repo of renderWorkspace(modelFor(set))) {
        for (const file of repo.files) {
          assert.ok(file.content.trim().length > 0, `${repo.repo.name}/${file.path} is empty`);
          assert.doesNotMatch(file.content, /<%|%>/, `${repo.repo.name}/${file.path} has EJS left in it`);
          assert.doesNotMatch(file.content, /undefined|\[object Object\]/, `${repo.repo.name}/${file.path}`);
        }
      }
    }
  });

  it('writes YAML that parses (outside chart templates, which are Go templates)', () => {
    for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
      for (const file of renderRepo(modelFor(set), 'gitops').files) {
        if (!/\.ya?ml$/.test(file.path) || file.path.includes('/templates/')) continue;
        for (const doc of parseAllDocuments(file.content)) {
          assert.deepEqual(doc.errors, [], `${file.path}: ${doc.errors.map((e) => e.message).join('; ')}`);
        }
      }
    }
  });

  it('writes JSON that parses (renovate.json, values.schema.json, services.json, package.json, ...)', () => {
    for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
      for (const repo of renderWorkspace(modelFor(set))) {
        for (const file of repo.files.filter((f) => f.path.endsWith('.json'))) {
          const where = `${repo.repo.name}/${file.path}`;
          if (/(^|\/)tsconfig[^/]*\.json$/.test(file.path)) {
            // TypeScript reads tsconfig as JSON with comments.
            const errors: ParseError[] = [];
            parseJsonc(file.content, errors, { allowTrailingComma: false });
            assert.deepEqual(errors, [], where);
          } else assert.doesNotThrow(() => JSON.parse(file.content), where);
        }
      }
    }
  });

  it('records every generated file with its hash and policy in the manifest', () => {
    const { platform, service } = answersFor('minimal');
    const rendered = renderRepo(modelFor('minimal'), 'gitops');
    const state = freshStateFiles(rendered, platform, [service], '1.2.3');
    const manifest = JSON.parse(state.find((f) => f.path === MANIFEST)?.content ?? '{}');
    assert.equal(manifest.version, '1.2.3');
    assert.deepEqual(Object.keys(manifest.files), rendered.files.map((f) => f.path).sort());
    for (const file of rendered.files) {
      assert.deepEqual(manifest.files[file.path], { sha256: sha256(file.content), policy: file.policy });
    }
  });
});

/**
 * Snapshots of every generated repo, one folder per answer set mirroring the repos, so every
 * template change is reviewed as a diff: the three repos `new` writes for each answer set, and the
 * infra and GitOps repos of a workspace grown by three `service` adds (their state files aside:
 * they hold the generator version, which every release changes).
 * `UPDATE_SNAPSHOTS=1 npm test` rewrites them and then fails, so a rewrite is always reviewed;
 * with CI=true it is refused.
 */
const updating = process.env.UPDATE_SNAPSHOTS === '1';
const GROWN = 'grown';
const isState = (path: string) => path === YO_RC || path.startsWith('.gitops-platform/');

/** What each snapshot folder must hold: set -> repo -> files, rendered now. */
function expectedSnapshots(): Map<string, Map<string, Map<string, string>>> {
  const all = new Map<string, Map<string, Map<string, string>>>();
  for (const set of Object.keys(answerSets) as AnswerSetName[]) {
    const repos = new Map<string, Map<string, string>>();
    for (const repo of renderWorkspace(modelFor(set))) {
      repos.set(repo.repo.name, new Map(repo.files.map((f) => [f.path, f.content])));
    }
    all.set(set, repos);
  }
  const ws = grownWorkspace();
  const grown = new Map<string, Map<string, string>>();
  for (const kind of ['infra', 'gitops'] as const) {
    const name = modelFor('minimal').repos[kind].name;
    const skip = (path: string) => path === '.git' || isState(path);
    const files = readTree(join(ws, name), skip);
    grown.set(name, new Map([...files].map(([path, content]) => [path, content.toString('utf8')])));
  }
  all.set(GROWN, grown);
  return all;
}

/** Rewrites one repo's snapshot; true when anything in it changed. */
function rewrite(dir: string, files: Map<string, string>): boolean {
  const before = existsSync(dir) ? readTree(dir) : new Map<string, Buffer>();
  const same =
    before.size === files.size && [...files].every(([path, content]) => before.get(path)?.toString('utf8') === content);
  if (same) return false;
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return true;
}

describe('snapshots of every generated repo', () => {
  let expected = new Map<string, Map<string, Map<string, string>>>();
  const rewritten: string[] = [];

  before(function () {
    if (updating && process.env.CI === 'true') {
      throw new Error('UPDATE_SNAPSHOTS=1 is refused with CI=true: snapshots are rewritten locally and reviewed');
    }
    // grownWorkspace runs `new` and three `service` adds through the bin.
    this.timeout(120_000);
    expected = expectedSnapshots();
  });

  for (const set of [...Object.keys(answerSets), GROWN]) {
    const description =
      set === GROWN ? 'minimal, grown by three `service` adds' : answerSets[set as AnswerSetName].description;
    it(`matches the snapshots of ${set}: ${description}`, () => {
      const repos = expected.get(set);
      assert.ok(repos, `no answer set ${set}`);
      for (const [name, files] of repos) {
        const dir = join(snapshotRoot, set, name);
        if (updating && rewrite(dir, files)) rewritten.push(`${set}/${name}`);
        assert.ok(existsSync(dir), `no snapshot at ${dir}; run UPDATE_SNAPSHOTS=1 npm test and review the diff`);
        const onDisk = readTree(dir);
        assert.deepEqual(
          [...files.keys()].sort(),
          [...onDisk.keys()].sort(),
          `${set}/${name}: the set of files changed`,
        );
        for (const [path, content] of files) {
          assert.equal(content, onDisk.get(path)?.toString('utf8'), `${set}/${name}/${path} differs from its snapshot`);
        }
      }
    });
  }

  it('has a snapshot folder for each answer set and repo, and none that matches no answer set', () => {
    const sets = [...expected.keys()].sort();
    if (updating) {
      for (const entry of readdirSync(snapshotRoot)) {
        if (!expected.has(entry)) rmSync(join(snapshotRoot, entry), { recursive: true, force: true });
      }
      for (const [set, repos] of expected) {
        for (const entry of existsSync(join(snapshotRoot, set)) ? readdirSync(join(snapshotRoot, set)) : []) {
          if (!repos.has(entry)) rmSync(join(snapshotRoot, set, entry), { recursive: true, force: true });
        }
      }
    }
    assert.deepEqual(readdirSync(snapshotRoot).sort(), sets, `folders in ${snapshotRoot}`);
    for (const [set, repos] of expected) {
      assert.deepEqual(readdirSync(join(snapshotRoot, set)).sort(), [...repos.keys()].sort(), `repos of ${set}`);
    }
  });

  after(() => {
    if (rewritten.length > 0) {
      throw new Error(`snapshots rewritten: review git diff (${rewritten.join(', ')})`);
    }
  });
});

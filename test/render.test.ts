import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ParseError, parse as parseJsonc } from 'jsonc-parser';
import { parseAllDocuments } from 'yaml';
import { buildModel } from '../generators/lib/model.ts';
import { renderRepo, renderWorkspace } from '../generators/lib/render.ts';
import { MANIFEST, sha256, stateFiles } from '../generators/lib/state.ts';
import { generatorId } from '../generators/lib/version.ts';
import { answerSets, answersFor, modelFor, readTree, repoRoot } from './support/workspace.ts';

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
    const state = stateFiles(rendered, platform, [service], '1.2.3');
    const manifest = JSON.parse(state.find((f) => f.path === MANIFEST)?.content ?? '{}');
    assert.equal(manifest.version, '1.2.3');
    assert.deepEqual(Object.keys(manifest.files), rendered.files.map((f) => f.path).sort());
    for (const file of rendered.files) {
      assert.deepEqual(manifest.files[file.path], { sha256: sha256(file.content), policy: file.policy });
    }
  });
});

/**
 * Snapshots of the whole GitOps repo, one folder per answer set mirroring the repo, so every
 * template change is reviewed as a diff. `UPDATE_SNAPSHOTS=1 npm test` rewrites them.
 */
describe('snapshots of the GitOps and infra repos', () => {
  for (const [set, { description }] of Object.entries(answerSets))
    for (const kind of ['gitops', 'infra'] as const) {
      it(`matches the ${kind} snapshot for ${set}: ${description}`, () => {
        const rendered = renderRepo(modelFor(set as keyof typeof answerSets), kind);
        const dir = join(snapshotRoot, set, rendered.repo.name);
        if (process.env.UPDATE_SNAPSHOTS === '1') {
          rmSync(dir, { recursive: true, force: true });
          for (const file of rendered.files) {
            mkdirSync(dirname(join(dir, file.path)), { recursive: true });
            writeFileSync(join(dir, file.path), file.content);
          }
        }
        assert.ok(existsSync(dir), `no snapshot at ${dir}; run UPDATE_SNAPSHOTS=1 npm test and review the diff`);
        const expected = readTree(dir);
        assert.deepEqual(
          rendered.files.map((f) => f.path),
          [...expected.keys()].sort(),
          'the set of files changed; update the snapshot and review it',
        );
        for (const file of rendered.files) {
          assert.equal(
            file.content,
            readFileSync(join(dir, file.path), 'utf8'),
            `${file.path} differs from its snapshot`,
          );
        }
      });
    }
});

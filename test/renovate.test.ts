/**
 * The GitOps repo's Renovate rules for the platform charts: one pull request per environment, offered
 * in promotion order (the first as soon as a chart is released, each next one a week later), and every
 * pinned chart of every environment under exactly one environment's rule.
 */
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderRepo } from '../generators/lib/render/render.ts';
import { answerSets, modelFor } from './support/workspace.ts';

interface Rule {
  matchManagers?: string[];
  matchFileNames?: string[];
  groupName?: string;
  minimumReleaseAge?: string;
}

/** Renovate's matchFileNames globs (minimatch): `**` any folders, `*` within one. */
const glob = (pattern: string) => {
  const part = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern.split('**').map(part).join('.*')}$`);
};

for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
  describe(`GitOps Renovate rules (${set})`, () => {
    const model = modelFor(set);
    const files = renderRepo(model, 'gitops').files;
    const renovate = JSON.parse(files.find((f) => f.path === 'renovate.json')?.content ?? '{}');
    const envRules = (renovate.packageRules as Rule[]).filter((r) => r.groupName?.startsWith('platform charts'));

    it('one group per environment, offered in promotion order, the first at once', () => {
      assert.deepEqual(
        envRules.map((r) => r.groupName),
        model.environments.map((e) => `platform charts (${e.name})`),
      );
      const days = envRules.map((r) => Number(/^(\d+) days$/.exec(r.minimumReleaseAge ?? '')?.[1]));
      assert.equal(days[0], 0);
      for (let i = 1; i < days.length; i++) assert.ok(days[i] >= days[i - 1] + 7, `${days.join(', ')}`);
    });

    it('every pinned platform chart is under exactly its own environment rule', () => {
      const charts = files.filter((f) => {
        if (!/^argocd\/[^/]+\/platform\/.+\.yaml$/.test(f.path)) return false;
        const app = parse(f.content);
        return Boolean(app?.spec?.source?.chart);
      });
      assert.ok(charts.length >= model.environments.length, charts.map((c) => c.path).join(', '));
      for (const chart of charts) {
        const env = chart.path.split('/')[1];
        const matching = envRules.filter((r) => (r.matchFileNames ?? []).some((g) => glob(g).test(chart.path)));
        assert.deepEqual(
          matching.map((r) => r.groupName),
          [`platform charts (${env})`],
          chart.path,
        );
        assert.deepEqual(matching[0].matchManagers, ['argocd']);
      }
    });
  });
}

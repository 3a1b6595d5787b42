/**
 * Renovate rules for the charts each environment pins: the GitOps repo's platform charts and the
 * infra repo's Argo CD charts, one pull request per environment, offered in promotion order (the
 * first as soon as a chart is released, each next one a week later), and every pinned chart of
 * every environment under exactly one environment's rule.
 */
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { pin } from '../generators/lib/pins.ts';
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

for (const set of Object.keys(answerSets) as (keyof typeof answerSets)[]) {
  describe(`infra Renovate rules for the Argo CD charts (${set})`, () => {
    const model = modelFor(set);
    const files = renderRepo(model, 'infra').files;
    const renovate = JSON.parse(files.find((f) => f.path === 'renovate.json')?.content ?? '{}');
    const envRules = (renovate.packageRules as Rule[]).filter((r) => r.groupName?.startsWith('Argo CD charts'));
    const managers = (renovate.customManagers as { managerFilePatterns: string[]; matchStrings: string[] }[]).filter(
      (m) => m.managerFilePatterns.some((p) => p.includes('environments')),
    );
    /** What Renovate's regex manager finds in a file, as it runs it (each match string, globally). */
    const found = (path: string, content: string) =>
      managers
        .filter((m) => m.managerFilePatterns.some((p) => new RegExp(p.slice(1, -1)).test(path)))
        .flatMap((m) => m.matchStrings.flatMap((s) => [...content.matchAll(new RegExp(s, 'g'))].map((x) => x.groups)));

    it("each environment root pins both charts at this version's pins, where the regex manager finds them", () => {
      for (const env of model.environments) {
        const main = files.find((f) => f.path === `environments/${env.name}/main.tf`);
        assert.ok(main, env.name);
        assert.deepEqual(
          found(main.path, main.content).map((g) => [g?.datasource, g?.registryUrl, g?.depName, g?.currentValue]),
          [
            ['helm', 'https://argoproj.github.io/argo-helm', 'argo-cd', pin('chart.argo-cd')],
            ['helm', 'https://argoproj.github.io/argo-helm', 'argocd-apps', pin('chart.argocd-apps')],
          ],
          env.name,
        );
      }
      // The shared module takes the versions from the roots: none pinned there.
      const module = files.find((f) => f.path === 'terraform/argocd/main.tf');
      assert.match(module?.content ?? '', /version += var\.chart_version$/m);
      assert.match(module?.content ?? '', /version += var\.apps_chart_version$/m);
      // ... and installs them from the repository the roots' comments send Renovate to.
      const repositories = [...(module?.content ?? '').matchAll(/^ +repository += "([^"]+)"$/gm)].map((m) => m[1]);
      assert.deepEqual(repositories, ['https://argoproj.github.io/argo-helm', 'https://argoproj.github.io/argo-helm']);
    });

    it('one group per environment root, offered in promotion order, the first at once', () => {
      assert.deepEqual(
        envRules.map((r) => [r.groupName, r.matchFileNames, r.matchManagers]),
        model.environments.map((e) => [`Argo CD charts (${e.name})`, [`environments/${e.name}/**`], ['custom.regex']]),
      );
      const days = envRules.map((r) => Number(/^(\d+) days$/.exec(r.minimumReleaseAge ?? '')?.[1]));
      assert.equal(days[0], 0);
      for (let i = 1; i < days.length; i++) assert.ok(days[i] >= days[i - 1] + 7, `${days.join(', ')}`);
      for (const env of model.environments) {
        const path = `environments/${env.name}/main.tf`;
        const matching = envRules.filter((r) => (r.matchFileNames ?? []).some((g) => glob(g).test(path)));
        assert.deepEqual(
          matching.map((r) => r.groupName),
          [`Argo CD charts (${env.name})`],
        );
      }
    });
  });
}

// The live test bed's readers of generated files (fast, no bed): the Argo CD bootstrap as the infra
// repo's Terraform would create it, and the add-on Applications the bed stands in charts for.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { addonApplications } from './support/testbed/bed.ts';
import { evaluateTemplate, moduleArgs, readBootstrap } from './support/testbed/infra-bootstrap.ts';
import { modelFor } from './support/workspace.ts';

describe('live test bed: what it reads from the generated repos', () => {
  const model = modelFor('full');
  let dir: string;
  before(() => {
    dir = tempDir('testbed-readers');
    writeFiles(join(dir, 'infra'), renderRepo(model, 'infra').files);
    writeFiles(join(dir, 'gitops'), renderRepo(model, 'gitops').files);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders each root Application from the infra repo as the argocd-apps chart would', () => {
    for (const env of model.environments) {
      const { rootApplication: app, cm } = readBootstrap(join(dir, 'infra'), env.name);
      assert.equal(app.kind, 'Application');
      assert.equal(app.metadata.name, 'root');
      assert.equal(app.metadata.namespace, 'argocd');
      assert.deepEqual(app.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io/foreground']);
      assert.equal(app.spec.source.repoURL, model.repos.gitops.url);
      assert.equal(app.spec.source.path, `argocd/${env.name}`);
      assert.equal(app.spec.source.targetRevision, 'main');
      assert.deepEqual(app.spec.destination, { server: 'https://kubernetes.default.svc', namespace: 'argocd' });
      assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true });
      // Retries take the newest commit: a change that cannot sync does not hold back its revert.
      assert.equal(app.spec.syncPolicy.retry.refresh, true);
      assert.equal(app.spec.namespace, undefined, 'namespace is metadata, not spec');
      assert.match(
        cm['resource.customizations.health.argoproj.io_Application'],
        /hs\.status = obj\.status\.health\.status/,
      );
    }
  });

  it('runs each root Application in a project of its own that allows exactly what argocd/<env>/ holds', () => {
    for (const env of model.environments) {
      const { rootApplication: app, rootProject: project } = readBootstrap(join(dir, 'infra'), env.name);
      assert.equal(app.spec.project, 'root');
      assert.equal(project.kind, 'AppProject');
      assert.deepEqual(project.metadata, { name: 'root', namespace: 'argocd' });
      assert.deepEqual(project.spec.sourceRepos, [model.repos.gitops.url]);
      assert.deepEqual(project.spec.destinations, [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
      // What the folder holds: objects with a namespace (which must be argocd), and cluster-scoped ones.
      const held = { namespaced: new Set<string>(), cluster: new Set<string>() };
      const folder = join(dir, 'gitops', 'argocd', env.name);
      for (const file of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.yaml')) continue;
        for (const doc of parseAllDocuments(readFileSync(join(folder, file), 'utf8'))) {
          const o = doc.toJS();
          const kind = `${o.apiVersion.split('/')[0]}/${o.kind}`;
          if (o.metadata.namespace !== undefined) {
            assert.equal(o.metadata.namespace, 'argocd', `${file}: ${kind} outside the argocd namespace`);
            held.namespaced.add(kind);
          } else held.cluster.add(kind);
        }
      }
      const allowed = (list: { group: string; kind: string }[] | undefined) =>
        (list ?? []).map((k) => `${k.group}/${k.kind}`).sort();
      assert.deepEqual(allowed(project.spec.namespaceResourceWhitelist), [...held.namespaced].sort());
      assert.deepEqual(allowed(project.spec.clusterResourceWhitelist), [...held.cluster].sort());
      assert.deepEqual(
        [...held.namespaced].sort(),
        ['argoproj.io/AppProject', 'argoproj.io/Application', 'external-secrets.io/ExternalSecret'],
        'with a domain, the GitHub webhook secret is an ExternalSecret in argocd',
      );
      assert.deepEqual([...held.cluster], ['external-secrets.io/ClusterSecretStore']);
    }
  });

  it('with a domain, exposes only /api/webhook of argocd-server, over TLS 1.2+, with its secret from Secrets Manager', () => {
    for (const env of model.environments) {
      const webhook = env.argocdWebhook;
      assert.ok(webhook);
      const ingress = readBootstrap(join(dir, 'infra'), env.name).values.server.ingress;
      assert.equal(ingress.enabled, true);
      assert.equal(ingress.controller, undefined, "the chart's generic Ingress (one rule, one path)");
      assert.equal(ingress.ingressClassName, 'alb');
      assert.equal(ingress.hostname, webhook.host);
      assert.deepEqual([ingress.path, ingress.pathType], ['/api/webhook', 'Exact'], 'one path, nothing under it');
      assert.equal(ingress.extraPaths ?? ingress.extraHosts ?? ingress.extraRules, undefined);
      const a = ingress.annotations;
      assert.equal(a['alb.ingress.kubernetes.io/scheme'], 'internet-facing');
      assert.equal(a['alb.ingress.kubernetes.io/listen-ports'], '[{"HTTPS": 443}]', 'HTTPS only');
      assert.equal(a['alb.ingress.kubernetes.io/ssl-policy'], 'ELBSecurityPolicy-TLS13-1-2-2021-06');
      assert.equal(a['alb.ingress.kubernetes.io/backend-protocol'], 'HTTPS', 'argocd-server serves TLS');
      // The environment's certificate (*.<env>.<domain>) covers the host.
      assert.equal(env.certificateDomain, `*.${webhook.host.split('.').slice(1).join('.')}`);

      // The secret: from Secrets Manager (a name the External Secrets role may read), merged into
      // argocd-secret under the key argocd-server verifies GitHub's signature with (the live bed
      // configures the same key and sends signed events).
      const folder = join(dir, 'gitops', 'argocd', env.name, 'platform');
      const es = parseAllDocuments(readFileSync(join(folder, 'argocd-github-webhook.yaml'), 'utf8'))[0].toJS();
      assert.equal(es.metadata.namespace, 'argocd');
      assert.deepEqual(es.spec.target, { name: 'argocd-secret', creationPolicy: 'Merge', deletionPolicy: 'Retain' });
      assert.deepEqual(es.spec.data, [{ secretKey: 'webhook.github.secret', remoteRef: { key: webhook.secretName } }]);
      assert.ok(webhook.secretName.startsWith(env.secretsPrefix), 'inside what the External Secrets role reads');
      const store = parseAllDocuments(readFileSync(join(folder, 'cluster-secret-store.yaml'), 'utf8'))[0].toJS();
      assert.equal(es.spec.secretStoreRef.name, store.metadata.name);
      assert.ok(store.spec.conditions[0].namespaces.includes('argocd'), 'the store serves the argocd namespace');
    }
    // Without a domain there is no ALB: nothing of Argo CD is reachable from outside.
    const minimal = modelFor('minimal');
    const other = tempDir('testbed-readers-minimal');
    writeFiles(join(other, 'infra'), renderRepo(minimal, 'infra').files);
    writeFiles(join(other, 'gitops'), renderRepo(minimal, 'gitops').files);
    const values = readBootstrap(join(other, 'infra'), minimal.environments[0].name).values;
    assert.equal(values.server.ingress, undefined);
    assert.equal(minimal.environments[0].argocdWebhook, undefined);
    assert.ok(
      !existsSync(
        join(other, 'gitops', 'argocd', minimal.environments[0].name, 'platform', 'argocd-github-webhook.yaml'),
      ),
    );
    rmSync(other, { recursive: true, force: true });
  });

  it('every Application retries with the newest commit; objects of add-on CRDs skip the dry run', () => {
    const folder = join(dir, 'gitops', 'argocd');
    let apps = 0;
    for (const file of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.yaml')) continue;
      const doc = parseAllDocuments(readFileSync(join(folder, file), 'utf8'))[0].toJS();
      if (doc.kind === 'Application') {
        apps++;
        assert.equal(doc.spec.syncPolicy.retry.refresh, true, file);
      }
      // A kind whose CRD an add-on of the same folder installs cannot be dry-run on a new cluster's
      // first sync: without SkipDryRunOnMissingResource the whole sync is refused (the bed saw it).
      if (doc.apiVersion.startsWith('external-secrets.io/')) {
        const options = doc.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '';
        assert.match(options, /SkipDryRunOnMissingResource=true/, file);
      }
    }
    assert.ok(apps >= 2 * model.environments.length, `${apps} Applications`);
  });

  it('evaluates only the templatefile() forms it understands', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's template syntax, on purpose
    assert.equal(evaluateTemplate('a: ${jsonencode(x)}\nb: ${n}\n', { x: 'q"uote', n: 2 }), 'a: "q\\"uote"\nb: 2\n');
    assert.throws(() => evaluateTemplate('%{ for x in y }', {}), /unsupported template syntax at %\{ for x in y \}/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's template syntax, on purpose
    assert.throws(() => evaluateTemplate('${upper(x)}', { x: 'a' }), /unsupported template syntax at \$\{upper\(x\)\}/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's template syntax, on purpose
    assert.throws(() => evaluateTemplate('${missing}', {}), /template variable missing is not passed/);
  });

  it('reads literal module arguments and ignores expressions', () => {
    const hcl = 'module "argocd" {\n  source = "../x"\n  path   = "argocd/dev"\n  replicas = 2\n  rev = var.r\n}\n';
    assert.deepEqual(moduleArgs(hcl, 'argocd'), { source: '../x', path: 'argocd/dev', replicas: 2 });
    assert.throws(() => moduleArgs(hcl, 'eks'), /no module "eks"/);
  });

  it('finds every platform add-on chart the GitOps repo installs', () => {
    const charts = addonApplications(join(dir, 'gitops'), model.environments[0].name).map((a) => a.spec.source.chart);
    assert.deepEqual(charts.sort(), ['aws-load-balancer-controller', 'external-secrets']);
  });
});

/**
 * The GitOps repo's rendered diff (scripts/render.sh and scripts/diff.sh, the "rendered diff" job of
 * a pull request), run for real on a generated repo: committed once as the base, changed as a team
 * would change it, and diffed. The add-on charts come from a Helm repository served on 127.0.0.1 (the
 * Applications' repoURLs point at it), with charts that make a random certificate and Secret when
 * rendered, as the load balancer controller's does: the diff must show what changes in each
 * environment, and nothing the Applications tell Argo CD to ignore, and no Secret value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { pin } from '../generators/lib/pins.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { tempDir } from './support/temp.ts';
import { requireTool, requireYq, runAsync } from './support/tools.ts';
import { modelFor } from './support/workspace.ts';

/** Two add-on charts with what makes upstream charts hard to diff: random certificates and Secrets. */
function chartRepo(helm: string, dir: string): void {
  const charts: Record<string, Record<string, string>> = {
    'external-secrets': {
      'templates/serviceaccount.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Values.serviceAccount.name }}
  namespace: {{ .Release.Namespace }}
`,
      'templates/webhook-secret.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: external-secrets-webhook
  namespace: {{ .Release.Namespace }}
data:
  token: {{ randAlphaNum 24 | b64enc }}
`,
    },
    'aws-load-balancer-controller': {
      'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: aws-load-balancer-controller
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: lbc}
  template:
    metadata:
      labels: {app: lbc}
    spec:
      containers:
        - name: controller
          image: controller:v1
          args: ["--cluster-name={{ .Values.clusterName }}"]
`,
      'templates/webhook.yaml': `{{- $ca := genCA "lbc-ca" 365 }}
apiVersion: v1
kind: Secret
metadata:
  name: aws-load-balancer-tls
  namespace: {{ .Release.Namespace }}
type: kubernetes.io/tls
data:
  ca.crt: {{ $ca.Cert | b64enc }}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: aws-load-balancer-webhook
webhooks:
  - name: mpod.elbv2.k8s.aws
    admissionReviewVersions: [v1]
    sideEffects: None
    clientConfig:
      caBundle: {{ $ca.Cert | b64enc }}
      service: {name: aws-load-balancer-webhook-service, namespace: {{ .Release.Namespace }}}
`,
    },
  };
  for (const [name, files] of Object.entries(charts)) {
    const src = join(dir, 'src', name);
    mkdirSync(join(src, 'templates'), { recursive: true });
    writeFileSync(join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${pin(`chart.${name}`)}\n`);
    for (const [path, text] of Object.entries(files)) writeFileSync(join(src, path), text);
    const packaged = spawnSync(helm, ['package', src, '--destination', join(dir, 'repo')], { encoding: 'utf8' });
    assert.equal(packaged.status, 0, packaged.stderr);
  }
}

/** Serves a folder over HTTP on 127.0.0.1 (a Helm repository: index.yaml and the chart archives). */
function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    if (!/^[\w.-]+$/.test(name) || !readdirSync(dir).includes(name)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(join(dir, name)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The sections of diff.sh's report, by environment: the heading line and the body. */
function sections(report: string): Map<string, { heading: string; body: string }> {
  const out = new Map<string, { heading: string; body: string }>();
  for (const part of report.split(/^### /m).slice(1)) {
    const heading = part.split('\n')[0];
    out.set(heading.split(':')[0], { heading, body: part });
  }
  return out;
}

describe('@tools GitOps repo: the rendered diff of a pull request (scripts/diff.sh, scripts/render.sh)', function () {
  this.timeout(180_000);
  let repo = '';
  let env: NodeJS.ProcessEnv = {};
  let server: Server | undefined;
  let base = '';
  let chartUrl = '';
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const edit = (path: string, from: string | RegExp, to: string) => {
    const file = join(repo, path);
    const text = readFileSync(file, 'utf8');
    const next = text.replace(from, to);
    assert.notEqual(next, text, `${path}: ${from} not found`);
    writeFileSync(file, next);
  };

  before(async function () {
    const helm = requireTool(this, 'helm');
    const yq = requireYq(this);
    const root = tempDir('gitops-diff');
    chartRepo(helm, root);
    server = await serve(join(root, 'repo'));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    chartUrl = url;
    const indexed = spawnSync(helm, ['repo', 'index', join(root, 'repo'), '--url', url], { encoding: 'utf8' });
    assert.equal(indexed.status, 0, indexed.stderr);

    const model = modelFor('full');
    repo = join(root, model.repos.gitops.name);
    writeFiles(repo, renderRepo(model, 'gitops').files);
    env = {
      ...process.env,
      PATH: [dirname(helm), dirname(yq), process.env.PATH ?? ''].join(delimiter),
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      HELM_CACHE_HOME: join(root, 'helm-cache'),
      HELM_CONFIG_HOME: join(root, 'helm-config'),
      HELM_DATA_HOME: join(root, 'helm-data'),
    };
    delete env.GITHUB_STEP_SUMMARY;
    // The add-ons' Helm repositories, served here.
    for (const envName of model.environments.map((e) => e.name)) {
      edit(`argocd/${envName}/platform/external-secrets.yaml`, 'https://charts.external-secrets.io', url);
      edit(`argocd/${envName}/platform/aws-load-balancer-controller.yaml`, 'https://aws.github.io/eks-charts', url);
    }
    // payments runs in dev (a Deployment renders only with an image).
    edit('environments/dev/payments.yaml', 'digest: ""', `digest: "sha256:${'ab'.repeat(32)}"`);
    git('init', '--quiet', '-b', 'main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'base');
    base = git('rev-parse', 'HEAD');
    // The pull request: dev runs two replicas of payments; prod's load balancer controller three.
    edit('environments/dev/payments.yaml', /^replicaCount: \d+$/m, 'replicaCount: 2');
    edit('argocd/prod/platform/aws-load-balancer-controller.yaml', 'replicaCount: 2', 'replicaCount: 3');
    git('commit', '--quiet', '-am', 'head');
  });

  after(() => {
    server?.close();
  });

  it('reports per environment what the change does to the rendered manifests, and nothing else', async () => {
    const summary = join(dirname(repo), 'summary.md');
    const result = await runAsync('bash', ['scripts/diff.sh', base, 'HEAD'], {
      cwd: repo,
      env: {
        ...env,
        GITHUB_STEP_SUMMARY: summary,
      },
    });
    assert.equal(result.status, 0, result.stderr);
    const report = sections(result.stdout);
    assert.deepEqual([...report.keys()], ['dev', 'prod', 'staging']);
    assert.equal(report.get('staging')?.heading, 'staging: no change');

    const dev = report.get('dev')?.body ?? '';
    assert.match(report.get('dev')?.heading ?? '', /^dev: 1 file\(s\) change, \+1 -1 lines$/);
    assert.match(
      dev,
      /^diff -ruN base\/dev\/applications\/payments-dev\.yaml head\/dev\/applications\/payments-dev\.yaml$/m,
    );
    assert.match(dev, /^- {2}replicas: 1$/m);
    assert.match(dev, /^\+ {2}replicas: 2$/m);

    // The Application itself and what it renders; the certificate made anew on each render is not
    // there (ignoreDifferences), nor the Secret's value.
    const prod = report.get('prod')?.body ?? '';
    assert.match(report.get('prod')?.heading ?? '', /^prod: 2 file\(s\) change, \+2 -2 lines$/);
    assert.match(prod, /^\+ {8}replicaCount: 3$/m);
    assert.match(prod, /^\+ {2}replicas: 3$/m);
    assert.doesNotMatch(result.stdout, /caBundle|ca\.crt: (?!"?\(redacted\))|token: (?!"?\(redacted\))/);
    assert.equal(readFileSync(summary, 'utf8'), result.stdout, 'the job summary holds the same report');
  });

  it('render.sh leaves out what ignoreDifferences names and redacts every Secret value', async () => {
    const out = join(dirname(repo), 'rendered');
    // A chart cache with what an interrupted pull of one chart left behind: it is pulled afresh.
    const cache = join(dirname(repo), 'chart-cache');
    const key = createHash('sha256').update(`${chartUrl} external-secrets ${pin('chart.external-secrets')}`);
    const partial = join(cache, `${key.digest('hex').slice(0, 16)}.partial`, 'external-secrets');
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, 'Chart.yaml'), 'half a chart\n');
    const result = await runAsync('bash', ['scripts/render.sh', out], {
      cwd: repo,
      env: { ...env, CHART_CACHE: cache },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['dev', 'prod', 'staging']);
    const docs = parseAllDocuments(
      readFileSync(join(out, 'prod', 'applications', 'aws-load-balancer-controller.yaml'), 'utf8'),
    )
      .map((d) => d.toJS())
      .filter(Boolean);
    const byKind = Object.fromEntries(docs.map((d) => [d.kind, d]));
    assert.deepEqual(Object.keys(byKind).sort(), ['Deployment', 'MutatingWebhookConfiguration', 'Secret']);
    assert.equal(byKind.Deployment.spec.replicas, 3);
    assert.equal(byKind.Deployment.spec.template.spec.containers[0].args[0], '--cluster-name=globex-prod');
    assert.deepEqual(byKind.MutatingWebhookConfiguration.webhooks[0].clientConfig, {
      service: { name: 'aws-load-balancer-webhook-service', namespace: 'kube-system' },
    });
    // ignoreDifferences drops /data of this Secret entirely.
    assert.equal(byKind.Secret.data, undefined);
    const eso = parseAllDocuments(readFileSync(join(out, 'dev', 'applications', 'external-secrets.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .filter(Boolean);
    assert.deepEqual(eso.find((d) => d.kind === 'Secret')?.data, { token: '(redacted)' });
    assert.equal(eso.find((d) => d.kind === 'ServiceAccount')?.metadata.name, 'external-secrets');
    // The files the root Application applies, as they are.
    assert.equal(
      readFileSync(join(out, 'dev', 'argocd', 'dev', 'apps', 'payments.yaml'), 'utf8'),
      readFileSync(join(repo, 'argocd', 'dev', 'apps', 'payments.yaml'), 'utf8'),
    );
  });

  it('runs on every pull request, read-only, with the base commit fetched', () => {
    const workflow = parse(readFileSync(join(repo, '.github', 'workflows', 'validate.yaml'), 'utf8'));
    const job = workflow.jobs['rendered-diff'];
    assert.equal(job.if, "github.event_name == 'pull_request'");
    assert.deepEqual(job.permissions, { contents: 'read' });
    const checkout = job.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/checkout@'));
    assert.deepEqual(checkout.with, { 'fetch-depth': 0, 'persist-credentials': false });
    const diff = job.steps.at(-1);
    assert.equal(diff.run, 'scripts/diff.sh "$BASE_SHA" HEAD');
    assert.equal(diff.env.BASE_SHA, `\${{ github.event.pull_request.base.sha }}`);
  });

  it('fails (exit 1) when a side cannot be rendered, and refuses what is not a commit (exit 2)', async () => {
    edit('charts/payments/templates/service.yaml', /$/, '\n{{ .Values.broken.nested }}\n');
    git('commit', '--quiet', '-am', 'broken');
    const broken = await runAsync('bash', ['scripts/diff.sh', base, 'HEAD'], { cwd: repo, env });
    assert.equal(broken.status, 1, broken.stdout);
    assert.match(broken.stderr, /diff: the head \(HEAD\) cannot be rendered/);
    assert.match(broken.stderr, /helm template failed/);
    git('reset', '--quiet', '--hard', 'HEAD~1');
    const notACommit = await runAsync('bash', ['scripts/diff.sh', 'no-such-branch'], { cwd: repo, env });
    assert.equal(notACommit.status, 2);
    assert.match(notACommit.stderr, /no-such-branch is not a commit/);
  });
});

/**
 * @tools: the real tools the GitOps repo's own CI runs, on freshly rendered output, for both answer
 * sets (the full one with a second service). Each Application is rendered exactly as Argo CD would:
 * its chart path, its `$values` files resolved against the repo, its release name and namespace.
 * Locally a missing tool skips with a visible reason; with CI=true it fails.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { pin } from '../generators/lib/pins.ts';
import { renderRepo } from '../generators/lib/render/render.ts';
import { writeFiles } from '../generators/lib/repos/files.ts';
import { addedServices, grownWorkspace } from './support/added-services.ts';
import { tempDir } from './support/temp.ts';
import { filesIn, kubeconformSchemaArgs, requireTool, requireYq, run } from './support/tools.ts';
import { answerSets, modelFor } from './support/workspace.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

interface Source {
  repoURL: string;
  path?: string;
  ref?: string;
  targetRevision: string;
  helm?: { releaseName?: string; valueFiles?: string[] };
}

interface Application {
  kind: string;
  metadata: { name: string };
  spec: {
    project: string;
    sources: Source[];
    destination: { server: string; namespace: string };
    syncPolicy: { syncOptions: string[] };
    ignoreDifferences?: { group: string; kind: string; managedFieldsManagers?: string[] }[];
  };
}

/** Renders the GitOps repo of an answer set into a fresh folder. */
function generate(set: keyof typeof answerSets): string {
  const model = modelFor(set, set === 'full' ? [{ name: 'web', port: 8081 }] : []);
  const dir = tempDir(`gitops-${set}`);
  writeFiles(dir, renderRepo(model, 'gitops').files);
  return dir;
}

function applications(dir: string): { file: string; app: Application }[] {
  const out: { file: string; app: Application }[] = [];
  for (const env of readdirSync(join(dir, 'argocd')).sort()) {
    for (const file of readdirSync(join(dir, 'argocd', env, 'apps')).sort()) {
      const path = join('argocd', env, 'apps', file);
      out.push({ file: path, app: parse(readFileSync(join(dir, path), 'utf8')) });
    }
  }
  return out;
}

/** helm arguments that reproduce how Argo CD renders this multi-source Application. */
function argoHelmArgs(app: Application, repoURL: string): { chart: string; release: string; args: string[] } {
  const chart = app.spec.sources.find((s) => s.path);
  const values = app.spec.sources.find((s) => s.ref === 'values');
  assert.ok(chart?.path && values, `${app.metadata.name}: needs a chart source and a ref: values source`);
  assert.equal(chart.repoURL, repoURL);
  assert.equal(values.repoURL, repoURL, 'the $values source is this repo');
  const files = chart.helm?.valueFiles ?? [];
  assert.ok(files.length > 0, `${app.metadata.name}: no value files`);
  const args: string[] = [];
  for (const file of files) {
    assert.ok(file.startsWith('$values/'), `${file} must be resolved through the values source`);
    args.push('-f', file.slice('$values/'.length));
  }
  const release = chart.helm?.releaseName ?? app.metadata.name;
  return { chart: chart.path, release, args };
}

/**
 * `helm template` of an Application exactly as Argo CD renders it, with an image (the chart renders
 * no workload without one) and `--set` values on top, in the repo at `dir`.
 */
function renderWithImage(helm: string, dir: string, app: Application, repoURL: string, sets: string[] = []) {
  const { chart, release, args } = argoHelmArgs(app, repoURL);
  const extra = [`image.digest=${DIGEST}`, ...sets].flatMap((s) => ['--set', s]);
  return run(helm, ['template', release, chart, '--namespace', app.spec.destination.namespace, ...args, ...extra], {
    cwd: dir,
  });
}

/** kubeconform -strict against the cluster's Kubernetes version, offline; every object must have a schema. */
function kubeconform(ctx: Mocha.Context, input: string | string[], label: string, version: string): string {
  const tool = requireTool(ctx, 'kubeconform');
  const files = typeof input === 'string' ? ['-'] : input;
  const result = run(tool, ['-strict', '-summary', ...kubeconformSchemaArgs(ctx, version), ...files], {
    input: typeof input === 'string' ? input : undefined,
  });
  assert.equal(result.status, 0, `${label}:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /Invalid: 0, Errors: 0, Skipped: 0/, `${label}: every object has a schema`);
  return result.stdout;
}

/** What is validated: both answer sets freshly rendered, and a repo grown by three `service` adds. */
const targets = [
  ...(Object.keys(answerSets) as (keyof typeof answerSets)[]).map((set) => ({
    label: `${set}: ${answerSets[set].description}`,
    model: modelFor(set),
    apps: set === 'full' ? 6 : 2,
    dir: () => generate(set),
  })),
  {
    label: `minimal plus ${addedServices.map((s) => s.name).join(', ')} added by the service command`,
    model: modelFor('minimal'),
    apps: 2 * (1 + addedServices.length),
    dir: () => join(grownWorkspace(), modelFor('minimal').repos.gitops.name),
  },
];

for (const target of targets) {
  describe(`@tools GitOps repo (${target.label})`, () => {
    let dir = '';
    const version = target.model.kubernetesVersion;
    before(function () {
      // The grown workspace runs the bin four times (new and three service adds) when first asked for.
      this.timeout(120_000);
      dir = target.dir();
    });

    it('every Application renders with helm as Argo CD would, and kubeconform accepts the output', function () {
      const helm = requireTool(this, 'helm');
      const repoURL = target.model.repos.gitops.url;
      const apps = applications(dir);
      assert.equal(apps.length, target.apps);
      for (const { file, app } of apps) {
        const { chart, release, args } = argoHelmArgs(app, repoURL);
        const ns = app.spec.destination.namespace;
        const lint = run(helm, ['lint', '--strict', chart, ...args], { cwd: dir });
        assert.equal(lint.status, 0, `helm lint ${file}:\n${lint.stdout}${lint.stderr}`);
        // Before the first CI run there is no image: no workload is rendered. With a digest, all of it.
        for (const extra of [[], ['--set', `image.digest=${DIGEST}`]]) {
          const out = run(helm, ['template', release, chart, '--namespace', ns, ...args, ...extra], { cwd: dir });
          assert.equal(out.status, 0, `helm template ${file}:\n${out.stderr}`);
          const summary = kubeconform(this, out.stdout, `${file} ${extra.join(' ')}`, version);
          if (extra.length > 0) {
            assert.match(out.stdout, /^kind: Deployment$/m, `${file}: a Deployment once an image is set`);
            assert.ok(out.stdout.includes(`@${DIGEST}`), `${file}: the image is pinned by digest`);
          } else {
            assert.doesNotMatch(out.stdout, /^kind: Deployment$/m, `${file}: no Deployment without an image`);
            // No ALB either: one with no pods behind it would only answer 503, and cost money.
            assert.doesNotMatch(out.stdout, /^kind: Ingress$/m, `${file}: no Ingress without an image`);
          }
          assert.match(summary, /Valid: [1-9]/);
        }
      }
    });

    it('every ALB listens with TLS 1.3 and 1.2 only and puts a new pod in service within 15 s, as rendered for each environment', function () {
      const helm = requireTool(this, 'helm');
      const repoURL = target.model.repos.gitops.url;
      let ingresses = 0;
      for (const { file, app } of applications(dir)) {
        const out = renderWithImage(helm, dir, app, repoURL);
        assert.equal(out.status, 0, `helm template ${file}:\n${out.stderr}`);
        for (const doc of parseAllDocuments(out.stdout).map((d) => d.toJS())) {
          if (doc?.kind !== 'Ingress') continue;
          ingresses++;
          const annotations = doc.metadata.annotations ?? {};
          assert.equal(annotations['alb.ingress.kubernetes.io/ssl-policy'], pin('aws.alb-ssl-policy'), file);
          assert.match(annotations['alb.ingress.kubernetes.io/listen-ports'], /"HTTPS": 443/, file);
          // A new pod is in service after healthy-threshold x interval: 10 s, not the ALB's 75 s.
          const interval = Number(annotations['alb.ingress.kubernetes.io/healthcheck-interval-seconds']);
          const healthy = Number(annotations['alb.ingress.kubernetes.io/healthy-threshold-count']);
          assert.ok(interval * healthy <= 15, `${file}: ${interval} s x ${healthy} checks before a pod takes traffic`);
          assert.ok(Number(annotations['alb.ingress.kubernetes.io/healthcheck-timeout-seconds']) < interval, file);
        }
      }
      // Only a platform with a domain has ingress hosts.
      assert.equal(ingresses > 0, Boolean(target.model.domain), `${ingresses} Ingresses`);
    });

    it('ingress.groupName puts the ALB in a shared IngressGroup, and the schema refuses a name the controller would not take', function () {
      // Without a domain the values have no host: the test gives one.
      const helm = requireTool(this, 'helm');
      const { file, app } = applications(dir)[0];
      const template = (group: string) =>
        renderWithImage(helm, dir, app, target.model.repos.gitops.url, [
          'ingress.enabled=true',
          'ingress.hosts[0]=api.example.com',
          `ingress.groupName=${group}`,
        ]);
      const shared = template(`${target.model.org}-shared`);
      assert.equal(shared.status, 0, `${file}: ${shared.stderr}`);
      const ingress = parseAllDocuments(shared.stdout)
        .map((d) => d.toJS())
        .find((d) => d?.kind === 'Ingress');
      assert.equal(ingress.metadata.annotations['alb.ingress.kubernetes.io/group.name'], `${target.model.org}-shared`);
      for (const bad of ['Shared', '-shared', 'a'.repeat(64), 'a_b']) {
        const refused = template(bad);
        assert.notEqual(refused.status, 0, `${file}: groupName ${bad} accepted`);
        assert.match(refused.stderr, /groupName/, bad);
      }
    });

    it('hands spec.replicas to the HPA: rendered with autoscaling on too, left to the HPA’s field manager by the Application', function () {
      const helm = requireTool(this, 'helm');
      for (const { file, app } of applications(dir)) {
        assert.ok(app.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true'), file);
        // Only the fields the HPA's writes own (managedFieldsManagers), and only on the Deployment.
        assert.deepEqual(
          app.spec.ignoreDifferences,
          [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: [target.model.argocd.hpaFieldManager] }],
          file,
        );
        for (const autoscaling of [false, true]) {
          const out = renderWithImage(helm, dir, app, target.model.repos.gitops.url, [
            `autoscaling.enabled=${autoscaling}`,
            'replicaCount=4',
          ]);
          assert.equal(out.status, 0, `${file}: ${out.stderr}`);
          const docs = parseAllDocuments(out.stdout).map((d) => d.toJS());
          const deployment = docs.find((d) => d?.kind === 'Deployment');
          // The sync that turns the HPA on must not drop the field (server-side apply resets it to 1).
          assert.equal(deployment.spec.replicas, 4, `${file}: spec.replicas with autoscaling=${autoscaling}`);
          assert.equal(
            docs.some((d) => d?.kind === 'HorizontalPodAutoscaler'),
            autoscaling,
            file,
          );
        }
      }
    });

    it('with externalSecret on, mounts the whole Secret read-only at SECRETS_DIR (no subPath: the kubelet updates it on rotation)', function () {
      const helm = requireTool(this, 'helm');
      const { file, app } = applications(dir)[0];
      const template = (...set: string[]) =>
        renderWithImage(helm, dir, app, target.model.repos.gitops.url, [
          'externalSecret.enabled=true',
          `externalSecret.key=${target.model.org}/any/secret`,
          ...set,
        ]);
      const out = template();
      assert.equal(out.status, 0, `${file}: ${out.stderr}`);
      kubeconform(this, out.stdout, `${file} with externalSecret`, version);
      const docs = parseAllDocuments(out.stdout).map((d) => d.toJS());
      const secretName = docs.find((d) => d?.kind === 'ExternalSecret').spec.target.name;
      const pod = docs.find((d) => d?.kind === 'Deployment').spec.template.spec;
      const volume = pod.volumes.find((v: { secret?: { secretName: string } }) => v.secret);
      assert.equal(volume.secret.secretName, secretName, 'the volume is the Secret External Secrets fills');
      const container = pod.containers[0];
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === volume.name);
      assert.deepEqual(mount, { name: volume.name, mountPath: '/etc/secrets', readOnly: true });
      const secretsDir = container.env.find((e: { name: string }) => e.name === 'SECRETS_DIR');
      assert.equal(secretsDir?.value, mount.mountPath);
      assert.deepEqual(container.envFrom, [{ secretRef: { name: secretName } }], 'the variables as before');
      for (const bad of ['/tmp', 'etc/secrets', '/', '/etc/../tmp']) {
        const refused = template(`externalSecret.mountPath=${bad}`);
        assert.notEqual(refused.status, 0, `mountPath ${bad} accepted`);
        assert.match(refused.stderr, /mountPath/, bad);
      }
    });

    it('names the finalizer of every Application with a path (kube-apiserver warns on one without)', () => {
      const files = readdirSync(join(dir, 'argocd'), { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.yaml'),
      );
      let applicationsSeen = 0;
      for (const file of files) {
        const doc = parse(readFileSync(join(dir, 'argocd', file), 'utf8'));
        if (doc?.kind !== 'Application') continue;
        applicationsSeen++;
        assert.deepEqual(doc.metadata.finalizers, ['resources-finalizer.argocd.argoproj.io/foreground'], file);
      }
      assert.ok(applicationsSeen >= target.apps, `${applicationsSeen} Applications`);
    });

    it('every workload meets Pod Security "restricted" and runs read-only, as rendered for each environment', function () {
      const helm = requireTool(this, 'helm');
      for (const { file, app } of applications(dir)) {
        const out = renderWithImage(helm, dir, app, target.model.repos.gitops.url);
        assert.equal(out.status, 0, `helm template ${file}:\n${out.stderr}`);
        const pods = parseAllDocuments(out.stdout)
          .map((d) => d.toJS())
          .filter((d) => d?.spec?.template?.spec)
          .map((d) => ({ where: `${file}: ${d.kind}/${d.metadata.name}`, spec: d.spec.template.spec }));
        assert.ok(pods.length > 0, `${file}: no workload rendered`);
        for (const { where, spec } of pods) {
          assert.equal(spec.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
          assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: seccompProfile`);
          for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) assert.notEqual(spec[key], true, `${where}: ${key}`);
          assert.equal(spec.automountServiceAccountToken, false, `${where}: no service account token`);
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            const sc = c.securityContext ?? {};
            assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
            assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}/${c.name}: capabilities.drop`);
            assert.equal(sc.privileged ?? false, false, `${where}/${c.name}: privileged`);
            assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name}: readOnlyRootFilesystem`);
          }
        }
      }
    });

    it('kubeconform accepts everything under argocd/ (Argo CD and External Secrets CRD schemas)', function () {
      kubeconform(this, [join(dir, 'argocd')], 'argocd/', version);
    });

    it('the repo passes its own scripts/validate.sh, offline', function () {
      for (const tool of ['helm', 'kubeconform']) requireTool(this, tool);
      const yq = requireYq(this);
      const locations = kubeconformSchemaArgs(this, version)
        .filter((_, i, all) => all[i - 1] === '-schema-location')
        .join(' ');
      const result = run('bash', ['scripts/validate.sh'], {
        cwd: dir,
        // The tools dir is first on PATH already; a mikefarah yq found elsewhere goes before the rest.
        env: { KUBECONFORM_SCHEMA_LOCATIONS: locations, PATH: `${dirname(yq)}${delimiter}${process.env.PATH ?? ''}` },
      });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    });

    it('actionlint (with shellcheck) and zizmor accept every workflow', function () {
      const actionlint = requireTool(this, 'actionlint');
      requireTool(this, 'shellcheck');
      const zizmor = requireTool(this, 'zizmor');
      const workflows = filesIn(dir, '.github/workflows');
      assert.ok(workflows.length >= 2);
      const lint = run(actionlint, ['-color=false', ...workflows], { cwd: dir });
      assert.equal(lint.status, 0, `actionlint:\n${lint.stdout}${lint.stderr}`);
      const audit = run(zizmor, ['--offline', '--no-progress', '.github/workflows'], { cwd: dir });
      assert.equal(audit.status, 0, `zizmor:\n${audit.stdout}${audit.stderr}`);
    });

    it('shellcheck accepts every script', function () {
      const shellcheck = requireTool(this, 'shellcheck');
      const result = run(shellcheck, filesIn(dir, 'scripts'), { cwd: dir });
      assert.equal(result.status, 0, result.stdout);
    });

    it('yamllint (strict, with the repo config) accepts the repo', function () {
      const yamllint = requireTool(this, 'yamllint');
      const result = run(yamllint, ['--strict', '-c', '.yamllint.yaml', '.'], { cwd: dir });
      assert.equal(result.status, 0, result.stdout);
    });
  });
}

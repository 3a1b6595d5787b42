// Stand-ins for the platform add-on charts, which live on the internet. Each is a real Helm chart
// with the add-on's name and version, served by chart-repo-proxy.mjs under the add-on's real
// repository URL, so the generated Applications stay exactly as generated. It installs what the
// rest of the platform depends on (the add-on's CRDs, with their real schemas, and its service
// account) and a controller Deployment that kwok runs; it honours the values the generated
// Application sets. What it cannot do (the real controller's work) the bed names where it stands in.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from './processes.ts';

export interface StandInRepo {
  url: string;
  dir: string;
  charts: string[];
}

/** The published CRD schema back from the strict kubeconform copy in ../shared (SOURCES.md). */
function openApiSchema(strict: unknown): unknown {
  if (Array.isArray(strict)) return strict.map(openApiSchema);
  if (strict === null || typeof strict !== 'object') return strict;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(strict)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = openApiSchema(v);
  }
  return out;
}

const esoKinds = [
  { kind: 'ClusterSecretStore', plural: 'clustersecretstores', scope: 'Cluster', file: 'clustersecretstore_v1.json' },
  { kind: 'SecretStore', plural: 'secretstores', scope: 'Namespaced', file: 'secretstore_v1.json' },
  { kind: 'ExternalSecret', plural: 'externalsecrets', scope: 'Namespaced', file: 'externalsecret_v1.json' },
];

/** A chart folder with its Chart.yaml (the add-on's name and version), templates/ and `extraDir`/. */
function chartDir(workDir: string, name: string, version: string, what: string, extraDir: string): string {
  const chart = join(workDir, 'src', name);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  mkdirSync(join(chart, extraDir), { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    stringify({
      apiVersion: 'v2',
      name,
      version,
      appVersion: `v${version}`,
      description: `Test-bed stand-in for ${what}.`,
    }),
  );
  return chart;
}

/** The External Secrets Operator chart, stood in for at `version` (the generated Application's). */
export function externalSecretsStandIn(
  workDir: string,
  crdSchemaDir: string,
  version: string,
  helm: string,
): StandInRepo {
  const chart = chartDir(
    workDir,
    'external-secrets',
    version,
    'the External Secrets Operator chart: CRDs, service account, controller',
    'files',
  );
  writeFileSync(
    join(chart, 'values.yaml'),
    stringify({ installCRDs: true, crds: { annotations: {} }, serviceAccount: { create: true, name: '' } }),
  );
  for (const k of esoKinds) {
    const schema = openApiSchema(JSON.parse(readFileSync(join(crdSchemaDir, 'external-secrets.io', k.file), 'utf8')));
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${k.plural}.external-secrets.io` },
      spec: {
        group: 'external-secrets.io',
        names: { kind: k.kind, listKind: `${k.kind}List`, plural: k.plural, singular: k.kind.toLowerCase() },
        scope: k.scope,
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: schema },
            subresources: { status: {} },
          },
        ],
      },
    };
    writeFileSync(join(chart, 'files', `${k.plural}.json`), JSON.stringify(crd));
  }
  // The CRDs as templates (not crds/), so that installCRDs and crds.annotations apply as upstream.
  writeFileSync(
    join(chart, 'templates', 'crds.yaml'),
    [
      '{{- if .Values.installCRDs }}',
      '{{- range $path, $_ := .Files.Glob "files/*.json" }}',
      '{{- $crd := $.Files.Get $path | fromJson }}',
      '{{- with $.Values.crds.annotations }}{{- $_ := set $crd.metadata "annotations" . }}{{- end }}',
      '---',
      '{{ toYaml $crd }}',
      '{{- end }}',
      '{{- end }}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(chart, 'templates', 'controller.yaml'),
    controller('external-secrets', '1', 'ghcr.io/external-secrets/external-secrets:{{ .Chart.AppVersion }}'),
  );
  writeFileSync(join(chart, 'templates', 'cluster.yaml'), clusterScoped('external-secrets'));
  return packageRepo(workDir, chart, 'https://charts.external-secrets.io', helm);
}

/** The add-on's service account (serviceAccount.create / .name) and its controller Deployment. */
function controller(name: string, replicas: string, image: string, args?: string): string {
  return [
    `{{- $sa := .Values.serviceAccount.name | default "${name}" }}`,
    '{{- if .Values.serviceAccount.create }}',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: {{ $sa }}',
    '  namespace: {{ .Release.Namespace }}',
    '{{- end }}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: {{ .Release.Namespace }}',
    'spec:',
    `  replicas: ${replicas}`,
    '  selector:',
    `    matchLabels: { app.kubernetes.io/name: ${name} }`,
    '  template:',
    '    metadata:',
    `      labels: { app.kubernetes.io/name: ${name} }`,
    '    spec:',
    '      serviceAccountName: {{ $sa }}',
    '      containers:',
    '        - name: controller',
    `          image: ${image}`,
    ...(args ? [`          args: ${args}`] : []),
    '',
  ].join('\n');
}

function packageRepo(workDir: string, chart: string, url: string, helm: string): StandInRepo {
  const repo = join(workDir, 'repo');
  mkdirSync(repo, { recursive: true });
  run(helm, ['package', chart, '--destination', repo]);
  run(helm, ['repo', 'index', repo, '--url', url]);
  return { url, dir: repo, charts: readdirSync(repo).filter((f) => f.endsWith('.tgz')) };
}

/**
 * The cluster-scoped kinds an add-on chart installs besides its CRDs (so the platform project's
 * whitelist is tested against them): its ClusterRole and binding, and an admission webhook
 * configuration (with no webhooks: nothing would answer them here).
 */
function clusterScoped(name: string, webhooks: string[] = ['ValidatingWebhookConfiguration']): string {
  const webhookConfigs = webhooks.flatMap((kind) => [
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: {{ $name }}-webhook',
    'webhooks: []',
  ]);
  return [
    `{{- $name := "${name}" }}`,
    '{{- $sa := .Values.serviceAccount.name | default $name }}',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRole',
    'metadata:',
    '  name: {{ $name }}-controller',
    'rules:',
    '  - apiGroups: [""]',
    '    resources: [secrets, services, endpoints, pods, namespaces, events]',
    '    verbs: [get, list, watch]',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: ClusterRoleBinding',
    'metadata:',
    '  name: {{ $name }}-controller',
    'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {{ $name }}-controller }',
    'subjects:',
    '  - { kind: ServiceAccount, name: "{{ $sa }}", namespace: "{{ .Release.Namespace }}" }',
    ...webhookConfigs,
    '',
  ].join('\n');
}

/** The AWS Load Balancer Controller chart, stood in for at `version`. */
export function loadBalancerControllerStandIn(workDir: string, version: string, helm: string): StandInRepo {
  const chart = chartDir(
    workDir,
    'aws-load-balancer-controller',
    version,
    'the AWS Load Balancer Controller chart: CRDs, IngressClass, controller',
    'crds',
  );
  writeFileSync(
    join(chart, 'values.yaml'),
    stringify({
      clusterName: '',
      replicaCount: 2,
      ingressClass: 'alb',
      createIngressClassResource: true,
      serviceAccount: { create: true, name: '' },
      podDisruptionBudget: {},
    }),
  );
  // Its two CRDs, open schemas (no published schema in ../shared); Helm installs crds/ first.
  const crd = (kind: string, plural: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.elbv2.k8s.aws` },
    spec: {
      group: 'elbv2.k8s.aws',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      scope: kind === 'IngressClassParams' ? 'Cluster' : 'Namespaced',
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: { status: {} },
        },
      ],
    },
  });
  writeFileSync(
    join(chart, 'crds', 'crds.yaml'),
    [crd('TargetGroupBinding', 'targetgroupbindings'), crd('IngressClassParams', 'ingressclassparams')]
      .map((c) => stringify(c))
      .join('---\n'),
  );
  writeFileSync(
    join(chart, 'templates', 'controller.yaml'),
    [
      '{{- if not .Values.clusterName }}{{ fail "clusterName is required" }}{{ end }}',
      controller(
        'aws-load-balancer-controller',
        '{{ .Values.replicaCount }}',
        'public.ecr.aws/eks/aws-load-balancer-controller:{{ .Chart.AppVersion }}',
        '[--cluster-name={{ .Values.clusterName }}, --ingress-class={{ .Values.ingressClass }}]',
      ),
      '{{- with .Values.podDisruptionBudget }}',
      '---',
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudget',
      'metadata:',
      '  name: aws-load-balancer-controller',
      '  namespace: {{ $.Release.Namespace }}',
      'spec:',
      '  {{- toYaml . | nindent 2 }}',
      '  selector:',
      '    matchLabels: { app.kubernetes.io/name: aws-load-balancer-controller }',
      '{{- end }}',
      '{{- if .Values.createIngressClassResource }}',
      '---',
      'apiVersion: elbv2.k8s.aws/v1beta1',
      'kind: IngressClassParams',
      'metadata:',
      '  name: {{ .Values.ingressClass }}',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: IngressClass',
      'metadata:',
      '  name: {{ .Values.ingressClass }}',
      'spec:',
      '  controller: ingress.k8s.aws/alb',
      '  parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: {{ .Values.ingressClass }} }',
      '{{- end }}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(chart, 'templates', 'cluster.yaml'),
    clusterScoped('aws-load-balancer-controller', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']),
  );
  return packageRepo(workDir, chart, 'https://aws.github.io/eks-charts', helm);
}

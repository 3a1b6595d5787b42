/**
 * Every version the generated repos use, in one table (like generator-code's dependencyVersions).
 * Templates read these through `pin(key)`, which refuses unknown keys, so a typo fails the render
 * instead of writing `undefined` into a workflow.
 *
 * Sources of the figures: ../shared/data/pins-observed.json and the release tags of each project
 * (see ARCHITECTURE.md, "Pins"). Renovate in each generated repo keeps them current after generation.
 */

/** EKS versions the generator accepts for `kubernetesVersion`; the last is the default. */
export const kubernetesVersions = ['1.32', '1.33', '1.34', '1.35'] as const;
export const defaultKubernetesVersion = '1.34';

const versions = {
  // Helm charts installed by Argo CD / Terraform.
  'chart.argo-cd': '10.1.1',
  'chart.argo-cd.appVersion': 'v3.4.4',
  'chart.external-secrets': '2.9.0',
  // aws/eks-charts stable/aws-load-balancer-controller (Chart.yaml on the default branch, Aug 2026).
  'chart.aws-load-balancer-controller': '3.5.0',
  // The ALB listeners' TLS policy: TLS 1.3 and 1.2 only, AWS's recommended policy (without it
  // the controller's listeners take ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1).
  'aws.alb-ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  // Tools the generated CI installs.
  'tool.helm': 'v3.22.0',
  'tool.kubeconform': 'v0.8.0',
  'tool.yq': 'v4.54.3',
  // Go toolchain that the GitOps repo's workflows build kubeconform and yq with (actions/setup-go).
  'tool.go': '1.26.8',
  // yamllint the GitOps repo's validate workflow runs (PyPI).
  'tool.yamllint': '1.38.0',
  // Infra repo (templates/infra)
  // Terraform >= 1.11 for write-only attributes (the Argo CD repo credential never lands in state);
  // CI runs Terraform 1.15.9, the newest 1.x tag. Providers: ~> on the newest minor seen (aws 6.36.0
  // is a lower bound, see ../shared/data/pins-observed.json); registry modules exact (the versions of
  // ../shared/data/terraform-modules), Renovate bumps them in the generated repo.
  'terraform.required': '>= 1.11',
  'tool.terraform': '1.15.9',
  'tool.tflint': 'v0.64.0',
  'provider.aws': '~> 6.36',
  'provider.helm': '~> 3.1',
  'provider.kubernetes': '~> 3.2',
  'module.eks': '21.19.0',
  'module.vpc': '6.6.0',
  'module.iam': '6.5.0',
  'module.ecr': '3.2.0',
  'module.eks-pod-identity': '2.8.1',
  // argoproj/argo-helm argocd-apps-2.0.5: the root Application, installed after the argo-cd chart.
  'chart.argocd-apps': '2.0.5',
  // App repo (templates/app-node). Node 24 LTS (npm `node` mirror, Nov 2026): .nvmrc, which CI's
  // setup-node reads, and the build image below (same release, Debian 13 like the runtime's glibc).
  // Runtime: distroless builds Node images for Debian 13 only since Feb 2026 (debian12 tags are no
  // longer updated). Images pinned by tag here; Renovate pins their digests in the app repo.
  'app.node': '24.21.0',
  'app.image.build': 'node:24.21.0-trixie-slim',
  'app.image.runtime': 'gcr.io/distroless/nodejs24-debian13:nonroot',
  // The service's only packages (dev dependencies; it has no runtime dependency), exact. @types/node
  // follows the runtime's major, not the newest (26.x).
  'npm.typescript': '7.0.2',
  'npm.@biomejs/biome': '2.6.8',
  'npm.@types/node': '24.19.2',
} as const;

type PinKey = keyof typeof versions;

export function pin(key: string): string {
  if (!Object.hasOwn(versions, key)) throw new Error(`Unknown pin "${key}": add it to generators/lib/pins.ts`);
  return versions[key as PinKey];
}

/**
 * GitHub Actions pinned to a full commit SHA, with the tag kept for the `# vX.Y.Z` comment.
 * zizmor's unpinned-uses audit and Renovate's helpers:pinGitHubActionDigests rely on this form.
 */
const actions = {
  'actions/checkout': { tag: 'v7.0.1', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1' },
  'actions/setup-node': { tag: 'v6.5.0', sha: '249970729cb0ef3589644e2896645e5dc5ba9c38' },
  'actions/setup-go': { tag: 'v7.0.0', sha: 'b7ad1dad31e06c5925ef5d2fc7ad053ef454303e' },
  'actions/setup-python': { tag: 'v7.0.0', sha: '5fda3b95a4ea91299a34e894583c3862153e4b97' },
  'actions/create-github-app-token': { tag: 'v3.1.1', sha: '1b10c78c7865c340bc4f6099eb2f838309f1e8c3' },
  'aws-actions/configure-aws-credentials': { tag: 'v6.2.3', sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c' },
  'aws-actions/amazon-ecr-login': { tag: 'v2.1.7', sha: '03f1aad4c6c7ffd436567f42f9384779290529bd' },
  'docker/setup-buildx-action': { tag: 'v4.3.0', sha: '37fe631027851001ddb9b187196cc803df7f5f0e' },
  'docker/build-push-action': { tag: 'v7.3.0', sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a' },
  'docker/metadata-action': { tag: 'v6.2.0', sha: 'dc802804100637a589fabce1cb79ff13a1411302' },
  'docker/login-action': { tag: 'v4.1.0', sha: '4907a6ddec9925e35a0a9e82d7399ccc52663121' },
  'peter-evans/create-pull-request': { tag: 'v8.1.1', sha: '5f6978faf089d4d20b00c7766989d076bb2fc7f1' },
  'azure/setup-helm': { tag: 'v5.0.1', sha: '9bc31f4ebc9c6b171d7bfbaa5d006ae7abdb4310' },
  'hashicorp/setup-terraform': { tag: 'v4.0.1', sha: 'dfe3c3f87815947d99a8997f908cb6525fc44e9e' },
  'terraform-linters/setup-tflint': { tag: 'v6.3.0', sha: '6e1e0642c0289bd619021bf6b34e3c08ed1e005a' },
  'bridgecrewio/checkov-action': { tag: 'v12.3119.0', sha: '59b9d7edfcad5b87fbe3f473a9a134a721ad03f8' },
  'actions/cache': { tag: 'v5.0.5', sha: '27d5ce7f107fe9357f9df03efb73ab90386fccae' },
  'actions/upload-artifact': { tag: 'v7.0.0', sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f' },
  'actions/download-artifact': { tag: 'v8.0.1', sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c' },
} as const satisfies Record<string, { sha: string; tag: string }>;

/** `uses:` value for an action: `owner/repo@<sha> # vX.Y.Z`. */
export function uses(action: string): string {
  if (!Object.hasOwn(actions, action))
    throw new Error(`Unknown action pin "${action}": add it to generators/lib/pins.ts`);
  const { sha, tag } = (actions as Record<string, { sha: string; tag: string }>)[action];
  return `${action}@${sha} # ${tag}`;
}

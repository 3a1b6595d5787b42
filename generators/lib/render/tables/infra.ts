/**
 * Files of the infrastructure repo (`<org>-infra`): Terraform for AWS. Template paths mirror output
 * paths under templates/infra/; `__env__` is replaced per environment. `terraform.tfvars` files and
 * bootstrap/backend.tf are the team's after creation (policy `once`); the rest follows upgrades.
 */
import type { Model } from '../../model.ts';
import type { FileRow } from '../render.ts';

/** bootstrap/ needs provider profiles only when environments live in accounts of their own. */
const multiAccount = (m: Model) => m.terraform.accounts.length > 1;

/** Local modules under terraform/, each with the same four files. */
const modules = [
  'terraform/vpc',
  'terraform/eks',
  'terraform/ecr',
  'terraform/argocd',
  'terraform/ci-access',
  'terraform/iam/github-oidc-role',
  'terraform/iam/pod-identity-role',
];

export const infraFiles: readonly FileRow[] = [
  { template: 'README.md' },
  { template: '.gitignore' },
  { template: '.tflint.hcl' },
  { template: '.checkov.yaml' },
  { template: '.yamllint.yaml' },
  { template: '.pre-commit-config.yaml' },
  { template: 'renovate.json' },
  // The service list as data: every root reads it; the `service` command edits only this file.
  { template: 'services.json' },
  { template: '.github/workflows/terraform.yaml' },
  { template: '.github/workflows/drift.yaml' },
  // Which roots a push to main changed (the terraform workflow applies only those).
  { template: 'scripts/changed-roots.sh' },
  // The provider lock files of every root, for the platforms of CI and the team's machines.
  { template: 'scripts/lock-providers.sh' },
  // One environment down in order: Argo CD's Applications and load balancers first, then the root.
  { template: 'scripts/teardown.sh' },
  // Every repository's OIDC claim template, which the CI roles' trust policies expect.
  { template: 'scripts/configure-github-oidc.sh' },

  // One-time bootstrap, applied by hand: state bucket, OIDC provider and CI roles per account.
  { template: 'bootstrap/README.md' },
  { template: 'bootstrap/versions.tf' },
  { template: 'bootstrap/providers.tf' },
  { template: 'bootstrap/main.tf' },
  { template: 'bootstrap/outputs.tf' },
  { template: 'bootstrap/backend.tf', policy: 'once' },
  { template: 'bootstrap/variables.tf', when: multiAccount },
  { template: 'bootstrap/terraform.tfvars', when: multiAccount, policy: 'once' },

  // ECR and the services' CI roles, in the global account.
  { template: 'global/versions.tf' },
  { template: 'global/backend.tf' },
  { template: 'global/providers.tf' },
  { template: 'global/main.tf' },
  { template: 'global/variables.tf' },
  { template: 'global/terraform.tfvars', policy: 'once' },
  { template: 'global/outputs.tf' },

  // One root per environment.
  { template: 'environments/__env__/versions.tf', each: 'environment' },
  { template: 'environments/__env__/backend.tf', each: 'environment' },
  { template: 'environments/__env__/providers.tf', each: 'environment' },
  { template: 'environments/__env__/main.tf', each: 'environment' },
  { template: 'environments/__env__/variables.tf', each: 'environment' },
  { template: 'environments/__env__/terraform.tfvars', each: 'environment', policy: 'once' },
  { template: 'environments/__env__/outputs.tf', each: 'environment' },

  ...modules.flatMap((dir) =>
    ['versions.tf', 'variables.tf', 'main.tf', 'outputs.tf'].map((file) => ({ template: `${dir}/${file}` })),
  ),
  // The Argo CD bootstrap's chart values, as templatefile() files (the live test bed reads them too).
  { template: 'terraform/argocd/argo-cd-values.yaml.tftpl' },
  { template: 'terraform/argocd/root-application.yaml.tftpl' },
  // The newest release's upgrade as a weekly pull request (the same files in every repo).
  { template: '.github/workflows/template-update.yaml', tree: 'common' },
  { template: 'scripts/template-update.sh', tree: 'common' },
];

/**
 * Files of the GitOps repo (`<org>-gitops`). Template paths mirror output paths under
 * templates/gitops/; `__service__` and `__env__` are replaced per row's `each`.
 */
import type { FileRow } from '../render.ts';

export const gitopsFiles: readonly FileRow[] = [
  { template: 'README.md' },
  { template: '.gitignore' },
  { template: '.yamllint.yaml' },
  { template: 'renovate.json' },
  { template: '.github/CODEOWNERS', policy: 'once' },
  // The rules of main, for `gh api` or GitHub's ruleset import (no bypass actors).
  { template: '.github/rulesets/main.json' },
  { template: '.github/workflows/validate.yaml' },
  // Promotion needs a next environment: there is none with a single environment.
  { template: '.github/workflows/promote.yaml', when: (m) => m.environments.length > 1 },
  { template: 'scripts/set-image.sh' },
  { template: 'scripts/promote.sh' },
  { template: 'scripts/tag-image.sh' },
  { template: 'scripts/validate.sh' },
  { template: 'scripts/render.sh' },
  { template: 'scripts/diff.sh' },

  // One Helm chart per service, in the shape of `helm create`.
  { template: 'charts/__service__/.helmignore', each: 'service' },
  { template: 'charts/__service__/Chart.yaml', each: 'service' },
  { template: 'charts/__service__/values.yaml', each: 'service' },
  { template: 'charts/__service__/values.schema.json', each: 'service' },
  { template: 'charts/__service__/templates/_helpers.tpl', each: 'service' },
  { template: 'charts/__service__/templates/NOTES.txt', each: 'service' },
  { template: 'charts/__service__/templates/deployment.yaml', each: 'service' },
  { template: 'charts/__service__/templates/service.yaml', each: 'service' },
  { template: 'charts/__service__/templates/serviceaccount.yaml', each: 'service' },
  { template: 'charts/__service__/templates/hpa.yaml', each: 'service' },
  { template: 'charts/__service__/templates/pdb.yaml', each: 'service' },
  { template: 'charts/__service__/templates/networkpolicy.yaml', each: 'service' },
  { template: 'charts/__service__/templates/ingress.yaml', each: 'service' },
  { template: 'charts/__service__/templates/externalsecret.yaml', each: 'service' },

  // Only what differs per environment; the team tunes these, upgrade still merges template changes.
  { template: 'environments/__env__/__service__.yaml', each: 'service-environment' },

  // What Argo CD in each environment's cluster syncs (the root Application points at argocd/<env>/).
  { template: 'argocd/__env__/projects/services.yaml', each: 'environment' },
  { template: 'argocd/__env__/projects/platform.yaml', each: 'environment' },
  { template: 'argocd/__env__/platform/external-secrets.yaml', each: 'environment' },
  { template: 'argocd/__env__/platform/cluster-secret-store.yaml', each: 'environment' },
  // Ingress hosts exist only with a domain; the controller that serves them comes with them.
  {
    template: 'argocd/__env__/platform/aws-load-balancer-controller.yaml',
    each: 'environment',
    when: (m) => m.loadBalancerController !== undefined,
  },
  // With a domain, GitHub's push events reach Argo CD; this brings their secret.
  {
    template: 'argocd/__env__/platform/argocd-github-webhook.yaml',
    each: 'environment',
    when: (m) => m.environments[0].argocdWebhook !== undefined,
  },
  { template: 'argocd/__env__/apps/__service__.yaml', each: 'service-environment' },
  // The newest release's upgrade as a weekly pull request (the same files in every repo).
  { template: '.github/workflows/template-update.yaml', tree: 'common' },
  { template: 'scripts/template-update.sh', tree: 'common' },
];

/**
 * Normalization: validated answers become one fully-populated model. Every name, URL, namespace,
 * registry URI and per-environment size is computed here and only here; templates read the model
 * and never build names themselves, so the three repos agree by construction.
 */
import type { PlatformAnswers, ServiceAnswers } from './answers/table.ts';

export const ARGOCD_NAMESPACE = 'argocd';
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export type RepoKind = 'infra' | 'gitops' | 'app';

export interface Repo {
  kind: RepoKind;
  /** Folder and GitHub repository name. */
  name: string;
  /** owner/name */
  fullName: string;
  /** HTTPS clone URL, as Argo CD and actions/checkout use it. */
  url: string;
}

/** An IAM role the infra repo creates and the other repos refer to. */
export interface Role {
  name: string;
  arn: string;
}

export interface Environment {
  name: string;
  index: number;
  /** Deployed automatically by app CI on every merge. */
  isFirst: boolean;
  /** The last environment; changes only through reviewed pull requests. */
  isProduction: boolean;
  /** Environment promoted from / to (undefined at the ends). */
  previous?: string;
  next?: string;
  accountId: string;
  clusterName: string;
  /** Argo CD AppProject that holds this environment's services. */
  argocdProject: string;
  /** Folder in the GitOps repo that the environment's root Application syncs. */
  argocdPath: string;
  /** Secrets Manager name prefix External Secrets may read in this environment. */
  secretsPrefix: string;
  /** Terraform state key of this environment's root in the state bucket. */
  stateKey: string;
  /** Pod Identity role of the External Secrets controller (reads only secretsPrefix*). */
  externalSecretsRole: Role;
  /** Roles the infra repo's CI assumes in this environment's account: read-only plan, and apply. */
  infraPlanRole: Role;
  infraApplyRole: Role;
  /** GitHub Environment of the infra repo whose jobs may assume infraApplyRole (production: required reviewers). */
  infraGithubEnvironment: string;
  /**
   * OIDC `sub` values trusted by infraPlanRole: main of the infra repo (the scheduled drift check), and
   * its pull requests, except in production: there only jobs in infraPlanGithubEnvironment (required
   * reviewers), since the plan role reads the cluster's Secrets and a pull request can edit the workflow.
   */
  infraPlanSubjects: string[];
  /** Production only: the GitHub Environment (required reviewers) whose jobs plan pull requests with infraPlanRole. */
  infraPlanGithubEnvironment?: string;
  /** OIDC `sub` trusted by infraApplyRole: the infra repo's jobs in infraGithubEnvironment. */
  infraApplySubject: string;
  /**
   * Secrets Manager name (in this environment's account) of the GitHub App credential Argo CD reads the
   * GitOps repo with. One slash only, so it never falls under any `<org>/<env>/` prefix External Secrets reads.
   */
  argocdRepoSecretName: string;
  /** VPC CIDR of this environment (distinct per environment, so VPCs can be peered later). */
  vpcCidr: string;
  /** The EKS managed node group (AL2023) of this environment's cluster. */
  nodeGroup: { instanceTypes: string[]; minSize: number; maxSize: number; desiredSize: number };
  /** Days CloudWatch keeps this environment's EKS control-plane logs and VPC flow logs. */
  logRetentionDays: number;
  /** Name tag of the environment's VPC (the load balancer controller finds its VPC by it). */
  vpcName: string;
  /** Pod Identity role of the AWS Load Balancer Controller (only with a domain: ingress needs it). */
  loadBalancerControllerRole?: Role;
  /**
   * Only with a domain: the ACM certificate (DNS-validated) of this environment's Ingress hosts,
   * `*.<env>.<domain>`, which covers every `<service>.<env>.<domain>`. The ALB controller finds it by host.
   */
  certificateDomain?: string;
}

export interface Sizing {
  replicas: number;
  autoscaling: { enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}

export interface ServiceEnvironment {
  env: Environment;
  /** Helm value file of this service in this environment, relative to the GitOps repo root. */
  valuesFile: string;
  /** Argo CD Application name. */
  applicationName: string;
  /** Ingress host, when a domain was given. */
  host?: string;
  /** Secrets Manager key prefix for this service's ExternalSecret. */
  secretsPrefix: string;
  /** Pod Identity role bound to the service's service account in this environment's cluster. */
  podRole: Role;
  sizing: Sizing;
}

export interface Service {
  name: string;
  port: number;
  /** Kubernetes namespace (one per service, same name in every cluster). */
  namespace: string;
  serviceAccountName: string;
  repo: Repo;
  chartPath: string;
  image: {
    /** ECR registry host in the account that holds the images. */
    registry: string;
    /** ECR repository name. */
    repositoryName: string;
    /** Full image repository URI without tag or digest. */
    repository: string;
  };
  /** Role the service repo's CI assumes (GitHub OIDC, main branch only) to push to its ECR repository. */
  ciRole: Role;
  /** OIDC `sub` trusted by ciRole: the service repo's main branch only. */
  ciRoleSubject: string;
  environments: ServiceEnvironment[];
}

export interface Model {
  generator: { name: string; version: string };
  org: string;
  githubOwner: string;
  awsRegion: string;
  /** Account of ECR and the CI roles (the "global" account). */
  awsAccountId: string;
  kubernetesVersion: string;
  domain?: string;
  environments: Environment[];
  firstEnvironment: Environment;
  productionEnvironment: Environment;
  repos: { infra: Repo; gitops: Repo };
  terraform: {
    /** S3 bucket of every Terraform state, in the global account (created by bootstrap/). */
    stateBucket: string;
    /** State key of the global root (ECR, CI roles). */
    globalStateKey: string;
    /** Roles the infra repo's CI assumes in the global account. */
    globalPlanRole: Role;
    globalApplyRole: Role;
    /** GitHub Environment of the infra repo whose jobs may assume globalApplyRole. */
    globalGithubEnvironment: string;
    /** OIDC `sub` values trusted by globalPlanRole: pull requests and main (the drift check) of the infra repo. */
    globalPlanSubjects: string[];
    globalApplySubject: string;
    /**
     * Repository variable of the infra repo that must be `true` before any apply job runs: set it only after
     * the GitHub Environments exist with their protection rules (GitHub creates missing ones unprotected).
     */
    applyEnabledVariable: string;
    /** State key of bootstrap/ once its local state is migrated into the bucket. */
    bootstrapStateKey: string;
    /** The services data file at the infra repo's root that every root reads (the only file `service` edits there). */
    servicesFile: string;
    /**
     * Every AWS account of the platform, the global one first: each gets the GitHub OIDC provider and
     * the infra CI roles of the roots that live in it (bootstrap/).
     */
    accounts: { id: string; isGlobal: boolean; environments: string[] }[];
    /** Environment accounts other than the global one: they pull images from its ECR repositories. */
    ecrPullAccounts: string[];
  };
  services: Service[];
  /** rootApplication: the Application Terraform installs in each cluster; it syncs `argocdPath` of the GitOps repo. */
  argocd: { namespace: string; destinationServer: string; rootApplication: string };
  externalSecrets: { namespace: string; serviceAccountName: string; clusterSecretStore: string };
  /** The AWS Load Balancer Controller serves the services' Ingresses; installed only with a domain. */
  loadBalancerController?: { namespace: string; serviceAccountName: string; ingressClass: string };
}

function role(accountId: string, name: string): Role {
  return { name, arn: `arn:aws:iam::${accountId}:role/${name}` };
}

/*
 * IAM role names stay within IAM's 64 characters for the longest answers (org 32, environment 12,
 * service 40), so they carry no org prefix: each account belongs to one platform.
 */
function repo(owner: string, name: string, kind: RepoKind): Repo {
  return { kind, name, fullName: `${owner}/${name}`, url: `https://github.com/${owner}/${name}.git` };
}

function sizing(env: Environment): Sizing {
  if (env.isProduction) {
    return {
      replicas: 3,
      // Off: an HPA needs the metrics API (metrics-server), which the clusters do not run; without
      // it the HPA reports FailedGetResourceMetric and Argo CD marks the service Degraded.
      autoscaling: { enabled: false, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    };
  }
  return {
    replicas: env.isFirst ? 1 : 2,
    autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  };
}

/**
 * The OIDC subjects of a read-only plan role: the repo's pull requests (or, given a GitHub Environment,
 * only jobs in that environment), and its main branch (drift check).
 */
function githubPlanSubjects(r: Repo, githubEnvironment?: string): string[] {
  const review = githubEnvironment ? `environment:${githubEnvironment}` : 'pull_request';
  return [`repo:${r.fullName}:${review}`, `repo:${r.fullName}:ref:refs/heads/main`];
}

/** Production's plan role reads its cluster's Secrets: pull requests plan it only in this reviewed GitHub Environment. */
function planGithubEnvironment(name: string, isProduction: boolean): string | undefined {
  return isProduction ? `${name}-plan` : undefined;
}

/** Distinct accounts, the global one first, each with the environments it holds (in order). */
function accountsOf(global: string, environments: Environment[]): Model['terraform']['accounts'] {
  const accounts = [{ id: global, isGlobal: true, environments: [] as string[] }];
  for (const env of environments) {
    let account = accounts.find((a) => a.id === env.accountId);
    if (!account) {
      account = { id: env.accountId, isGlobal: false, environments: [] };
      accounts.push(account);
    }
    account.environments.push(env.name);
  }
  return accounts;
}

export function buildModel(
  platform: PlatformAnswers,
  services: ServiceAnswers[],
  generator: { name: string; version: string },
): Model {
  const { org, githubOwner, awsRegion, awsAccountId } = platform;
  const names = platform.environments;
  const infraRepo = repo(githubOwner, `${org}-infra`, 'infra');
  const environments: Environment[] = names.map((name, index) => ({
    name,
    index,
    isFirst: index === 0,
    isProduction: index === names.length - 1,
    previous: index > 0 ? names[index - 1] : undefined,
    next: index < names.length - 1 ? names[index + 1] : undefined,
    accountId: platform.accounts?.[name] ?? awsAccountId,
    clusterName: `${org}-${name}`,
    argocdProject: name,
    argocdPath: `argocd/${name}`,
    secretsPrefix: `${org}/${name}/`,
    stateKey: `environments/${name}/terraform.tfstate`,
    externalSecretsRole: role(platform.accounts?.[name] ?? awsAccountId, `${name}-external-secrets`),
    infraPlanRole: role(platform.accounts?.[name] ?? awsAccountId, `gha-infra-plan-${name}`),
    infraApplyRole: role(platform.accounts?.[name] ?? awsAccountId, `gha-infra-apply-${name}`),
    infraGithubEnvironment: name,
    infraPlanSubjects: githubPlanSubjects(infraRepo, planGithubEnvironment(name, index === names.length - 1)),
    infraPlanGithubEnvironment: planGithubEnvironment(name, index === names.length - 1),
    infraApplySubject: `repo:${infraRepo.fullName}:environment:${name}`,
    argocdRepoSecretName: `argocd/${name}-gitops-repo`,
    vpcCidr: `10.${10 + index}.0.0/16`,
    nodeGroup:
      index === names.length - 1
        ? { instanceTypes: ['m7i.large'], minSize: 3, maxSize: 6, desiredSize: 3 }
        : { instanceTypes: ['t3.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
    logRetentionDays: index === names.length - 1 ? 365 : 90,
    vpcName: `${org}-${name}`,
    loadBalancerControllerRole: platform.domain
      ? role(platform.accounts?.[name] ?? awsAccountId, `${name}-aws-load-balancer-controller`)
      : undefined,
    certificateDomain: platform.domain ? `*.${name}.${platform.domain}` : undefined,
  }));
  const registry = `${awsAccountId}.dkr.ecr.${awsRegion}.amazonaws.com`;
  const sorted = [...services].sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return {
    generator,
    org,
    githubOwner,
    awsRegion,
    awsAccountId,
    kubernetesVersion: platform.kubernetesVersion,
    domain: platform.domain || undefined,
    environments,
    firstEnvironment: environments[0],
    productionEnvironment: environments[environments.length - 1],
    repos: { infra: infraRepo, gitops: repo(githubOwner, `${org}-gitops`, 'gitops') },
    terraform: {
      stateBucket: `${org}-tfstate-${awsAccountId}`,
      globalStateKey: 'global/terraform.tfstate',
      globalPlanRole: role(awsAccountId, 'gha-infra-plan-global'),
      globalApplyRole: role(awsAccountId, 'gha-infra-apply-global'),
      globalGithubEnvironment: 'global',
      globalPlanSubjects: githubPlanSubjects(infraRepo),
      globalApplySubject: `repo:${infraRepo.fullName}:environment:global`,
      applyEnabledVariable: 'TERRAFORM_APPLY_ENABLED',
      bootstrapStateKey: 'bootstrap/terraform.tfstate',
      servicesFile: 'services.json',
      accounts: accountsOf(awsAccountId, environments),
      ecrPullAccounts: accountsOf(awsAccountId, environments)
        .filter((a) => !a.isGlobal)
        .map((a) => a.id),
    },
    services: sorted.map((s) => ({
      name: s.name,
      port: s.port,
      namespace: s.name,
      serviceAccountName: s.name,
      repo: repo(githubOwner, s.name, 'app'),
      chartPath: `charts/${s.name}`,
      image: { registry, repositoryName: `${org}/${s.name}`, repository: `${registry}/${org}/${s.name}` },
      ciRole: role(awsAccountId, `gha-svc-${s.name}`),
      ciRoleSubject: `repo:${repo(githubOwner, s.name, 'app').fullName}:ref:refs/heads/main`,
      environments: environments.map((env) => ({
        env,
        valuesFile: `environments/${env.name}/${s.name}.yaml`,
        applicationName: `${s.name}-${env.name}`,
        host: platform.domain ? `${s.name}.${env.name}.${platform.domain}` : undefined,
        secretsPrefix: `${env.secretsPrefix}${s.name}/`,
        podRole: role(env.accountId, `${env.name}-${s.name}`),
        sizing: sizing(env),
      })),
    })),
    argocd: { namespace: ARGOCD_NAMESPACE, destinationServer: IN_CLUSTER, rootApplication: 'root' },
    externalSecrets: {
      namespace: 'external-secrets',
      serviceAccountName: 'external-secrets',
      clusterSecretStore: 'aws-secrets-manager',
    },
    loadBalancerController: platform.domain
      ? { namespace: 'kube-system', serviceAccountName: 'aws-load-balancer-controller', ingressClass: 'alb' }
      : undefined,
  };
}

/**
 * Normalization: validated answers become one fully-populated model. Every name, URL, namespace,
 * registry URI and per-environment size is computed here and only here; templates read the model
 * and never build names themselves, so the three repos agree by construction.
 */
import { allocateVpcCidrs, roleArnAccount } from './answers/parsers.ts';
import type { PlatformAnswers, ServiceAnswers } from './answers/table.ts';

const ARGOCD_NAMESPACE = 'argocd';
const IN_CLUSTER = 'https://kubernetes.default.svc';
/**
 * The VPC's layout (terraform/vpc): three zones, and in zone i the public subnet
 * cidrsubnet(vpc_cidr, 8, 48 + i), where internet-facing ALBs live and send to pods from.
 */
const VPC = { zones: 3, publicSubnet: { newbits: 8, first: 48 } } as const;

/** Terraform's cidrsubnet() for IPv4: subnet `netnum` of `cidr` with `newbits` more prefix bits. */
export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
  const [address, bits] = cidr.split('/');
  const prefix = Number(bits) + newbits;
  const base = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const value = base + netnum * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

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
  /**
   * Tag prefix of the images promoted here (`<prefix><digest hex>`, put on by the promote workflow):
   * the ECR lifecycle policy keeps them. The first environment runs the newest builds, which the
   * policy keeps anyway; nothing tags them.
   */
  deployedImageTagPrefix: string;
  /** The app CI's deploy job into this environment: its runs queue in this group, never cancelled. */
  deployConcurrencyGroup: string;
  /** Secrets Manager name prefix External Secrets may read in this environment. */
  secretsPrefix: string;
  /** Terraform state key of this environment's root in the state bucket. */
  stateKey: string;
  /** This environment's Terraform root in the infra repo. */
  terraformDir: string;
  /** Folder of this environment's Helm values in the GitOps repo (one file per service). */
  valuesDir: string;
  /** bootstrap/'s module that creates the OIDC provider and CI roles in this environment's account. */
  ciAccessModule: string;
  /** Pod Identity role of the External Secrets controller (reads only secretsPrefix*). */
  externalSecretsRole: Role;
  /** Roles the infra repo's CI assumes in this environment's account: read-only plan, and apply. */
  infraPlanRole: Role;
  infraApplyRole: Role;
  /** GitHub Environment of the infra repo whose jobs may assume infraApplyRole (production: required reviewers). */
  infraGithubEnvironment: string;
  /**
   * OIDC `sub` values trusted by infraPlanRole: drift.yaml on main of the infra repo, and terraform.yaml
   * on its pull requests, except in production: there only jobs in infraPlanGithubEnvironment (required
   * reviewers), since the plan role reads the cluster's Secrets and a pull request can edit the workflow,
   * and terraform.yaml on main (the plan its reviewed apply applies).
   */
  infraPlanSubjects: string[];
  /** Production only: the GitHub Environment (required reviewers) whose jobs plan pull requests with infraPlanRole. */
  infraPlanGithubEnvironment?: string;
  /** OIDC `sub` trusted by infraApplyRole: the infra repo's terraform.yaml jobs in infraGithubEnvironment, from main. */
  infraApplySubject: string;
  /**
   * Secrets Manager name (in this environment's account) of the GitHub App credential Argo CD reads the
   * GitOps repo with. One slash only, so it never falls under any `<org>/<env>/` prefix External Secrets reads.
   */
  argocdRepoSecretName: string;
  /**
   * Days a platform chart release waits before Renovate proposes it for this environment: 0 for the
   * first, a week more for each next one, so each environment runs a release before the next gets it.
   */
  chartReleaseAgeDays: number;
  /** Renovate's group of this environment's platform charts: the files it matches, and its name. */
  chartUpdates: { files: string; group: string };
  /** Renovate's group of the Argo CD charts this environment's root pins (infra repo). */
  argocdChartUpdates: { files: string; group: string };
  /** EKS Kubernetes version of this environment's cluster (kubernetesVersions, else kubernetesVersion). */
  kubernetesVersion: string;
  /** VPC CIDR of this environment (distinct per environment, so VPCs can be peered later). */
  vpcCidr: string;
  /** The VPC's public subnets, one per zone: the addresses internet-facing ALBs send to pods from. */
  publicSubnetCidrs: string[];
  /** The EKS managed node group (AL2023) of this environment's cluster. */
  nodeGroup: { instanceTypes: string[]; minSize: number; maxSize: number; desiredSize: number };
  /** Days CloudWatch keeps this environment's EKS control-plane logs and VPC flow logs. */
  logRetentionDays: number;
  /** Name tag of the environment's VPC (the load balancer controller finds its VPC by it). */
  vpcName: string;
  /** Pod Identity role of the AWS Load Balancer Controller (only with a domain: ingress needs it). */
  loadBalancerControllerRole?: Role;
  /**
   * The developers' role of this environment: people of its account (with MFA) assume it to read
   * the cluster with kubectl (AmazonEKSViewPolicy: no Secrets) and nothing else in AWS.
   */
  developerRole: Role;
  /** The clusterAdmins answer's roles in this environment's account: admin access entries (terraform.tfvars). */
  clusterAdminArns: string[];
  /**
   * Only with a domain: the ACM certificate (DNS-validated) of this environment's Ingress hosts,
   * `*.<env>.<domain>`, which covers every `<service>.<env>.<domain>`. The ALB controller finds it by host.
   */
  certificateDomain?: string;
  /**
   * Only with a domain: GitHub's push events reach this environment's Argo CD at
   * https://<host>/api/webhook (an ALB that serves that path only), signed with the secret kept in
   * Secrets Manager under `secretName` (inside secretsPrefix, so External Secrets can read it).
   */
  argocdWebhook?: { host: string; secretName: string };
}

/** An AWS account of the platform, as bootstrap/ sets it up. */
interface Account {
  id: string;
  isGlobal: boolean;
  /** The environments whose roots live in this account, in order. */
  environments: string[];
  /** bootstrap/'s module of this account (OIDC provider and CI roles). */
  ciAccessModule: string;
  /** Other accounts only: bootstrap/'s AWS provider alias, and the CLI profile its tfvars suggest. */
  providerAlias?: string;
  suggestedProfile?: string;
}

/** A Terraform root as the infra repo's CI runs it. */
interface TerraformRoot {
  name: string;
  dir: string;
  planRole: Role;
  applyRole: Role;
  /** GitHub Environment of its apply job; `reviewed` when it needs a reviewer's approval. */
  githubEnvironment: string;
  reviewed: boolean;
  /** The reviewed GitHub Environment its pull request plan runs in (production). */
  planGithubEnvironment?: string;
  /** Its state's key in the state bucket: only its plan and apply roles (and break glass) may touch it. */
  stateKey: string;
  /**
   * What the root is made of: its folder, the local modules it uses (transitively) and the services
   * file. A push to main applies the root only when one of these changed.
   */
  watchPaths: string[];
  /** Job id of its apply, and the jobs it waits for: the checks, the change detection, every earlier root. */
  applyJob: string;
  applyNeeds: string[];
  /** The concurrency group its applies queue in (one root's pending approval holds back no other). */
  applyConcurrencyGroup: string;
  /**
   * Reviewed roots only: the job that plans on main before the approval; the apply job applies
   * exactly that plan (an artifact of this name), refusing a stale one.
   */
  reviewedPlan?: { job: string; artifact: string };
}

interface Sizing {
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
  /** OIDC `sub` trusted by ciRole: the service repo's ci.yaml on its main branch only. */
  ciRoleSubject: string;
  environments: ServiceEnvironment[];
}

/** A service `service remove` took out (and not yet purged): what is left of it. */
export interface RetiredService {
  name: string;
  /** pending: its AppProject destination stays until Argo CD has deleted what it deployed. */
  stage: 'pending' | 'kept';
  namespace: string;
  /** Its ECR repository, kept out of every pipeline until purged. */
  ecrRepositoryName: string;
  /** Terraform deletes the repository's images with it (service remove --purge-images). */
  forceDeleteImages: boolean;
}

export interface Model {
  generator: { name: string; version: string };
  /** terraform/vpc's layout: zones, and where the public subnets sit in the VPC CIDR. */
  vpc: typeof VPC;
  org: string;
  githubOwner: string;
  awsRegion: string;
  /** Account of ECR and the CI roles (the "global" account). */
  awsAccountId: string;
  kubernetesVersion: string;
  /** The same as a full version (`1.34.0`), which the GitOps repo's render and validate scripts take. */
  kubernetesToolsVersion: string;
  domain?: string;
  environments: Environment[];
  firstEnvironment: Environment;
  productionEnvironment: Environment;
  repos: { infra: Repo; gitops: Repo };
  /**
   * GitHub's OIDC `sub` claim template of every repository (claimKeys), which the CI roles' trust
   * policies expect; configureScript (infra repo) sets it, after checking GitHub spells each repository
   * as the trust policies do.
   */
  oidc: { claimKeys: string[]; configureScript: string };
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
    /** OIDC `sub` values trusted by globalPlanRole: terraform.yaml on pull requests and drift.yaml on main of the infra repo. */
    globalPlanSubjects: string[];
    globalApplySubject: string;
    /**
     * Repository variable of the infra repo that must be `true` before any apply job runs: set it only after
     * the GitHub Environments exist with their protection rules (GitHub creates missing ones unprotected).
     */
    applyEnabledVariable: string;
    /**
     * The only role that may delete state versions or change how the state bucket keeps them (its
     * policy denies everyone else); assumed by people, with MFA, in the global account.
     */
    stateBreakGlassRole: Role;
    /** Days each state version is locked (S3 Object Lock, governance mode) before it may expire. */
    stateLockDays: number;
    /** State key of bootstrap/ once its local state is migrated into the bucket. */
    bootstrapStateKey: string;
    /** The services data file at the infra repo's root that every root reads (the only file `service` edits there). */
    servicesFile: string;
    /**
     * Every AWS account of the platform, the global one first: each gets the GitHub OIDC provider and
     * the infra CI roles of the roots that live in it (bootstrap/).
     */
    accounts: Account[];
    /** Every root CI plans and applies, in apply order: global, then the environments. */
    roots: TerraformRoot[];
    /**
     * Pull request plan jobs: one matrix job, and a job of its own for each root planned in a reviewed
     * GitHub Environment (production), since `environment` changes the job's OIDC subject.
     */
    planJobs: { id: string; roots: TerraformRoot[]; githubEnvironment?: string }[];
    /** The terraform workflow's job that runs scripts/changed-roots.sh on a push to main. */
    changesJob: string;
    /** Environment accounts other than the global one: they pull images from its ECR repositories. */
    ecrPullAccounts: string[];
    /**
     * The promoted-image tag prefixes, production first (the first environment has none): one ECR
     * lifecycle rule each, in this priority, so an image counts among the deploys of the latest
     * environment it reached.
     */
    ecrDeployedTagPrefixes: string[];
    /** Default of ecr_keep_deployed_images: the newest images promoted into each environment that ECR keeps. */
    ecrKeepDeployedImages: number;
  };
  /** The platform's services, removed ones left out. */
  services: Service[];
  /** Removed services whose ECR repository still exists (services.json keeps them for global/). */
  retiredServices: RetiredService[];
  /**
   * The GitOps repo's promote workflow: its GitHub Environment (main only, holds the App key) and the
   * role it assumes there (global account) to tag the promoted image in ECR.
   */
  promote: { githubEnvironment: string; role: Role; roleSubject: string; ecrRepositoryPrefix: string };
  /**
   * rootApplication: the Application Terraform installs in each cluster; it syncs `argocdPath` of the
   * GitOps repo. hpaFieldManager: the field manager of the HPA's writes (kube-controller-manager,
   * through the scale subresource); a service's Application leaves the Deployment fields it owns to it.
   * serviceNamespaces: where the services' AppProject lets Applications deploy: every service's, and
   * a removed one's until Argo CD has deleted what it deployed there (it deletes only what the
   * project still permits). chartRepository: where the argo-cd and argocd-apps charts come from (the
   * helm_release resources install from it; Renovate looks their versions up there).
   */
  argocd: {
    namespace: string;
    chartRepository: string;
    destinationServer: string;
    rootApplication: string;
    rootProject: string;
    hpaFieldManager: string;
    serviceNamespaces: string[];
  };
  externalSecrets: { namespace: string; serviceAccountName: string; clusterSecretStore: string };
  /**
   * Every repo's scheduled template update (templates/common): the branch its pull request comes
   * from, the schedule (UTC), the workflow and the script it runs.
   */
  templateUpdate: {
    branch: string;
    cron: string;
    workflow: string;
    script: string;
    secret: string;
    environment: string;
  };
  /** The AWS Load Balancer Controller serves the services' Ingresses; installed only with a domain. */
  loadBalancerController?: { namespace: string; serviceAccountName: string; ingressClass: string };
}

/** GitHub Environment of the GitOps repo's promote workflow. */
const PROMOTE_ENVIRONMENT = 'promote';

/*
 * IAM role names stay within IAM's 64 characters for the longest answers (org 32, environment 12,
 * service 40), so they carry no org prefix: each account belongs to one platform.
 */
function role(accountId: string, name: string): Role {
  return { name, arn: `arn:aws:iam::${accountId}:role/${name}` };
}

function repo(owner: string, name: string, kind: RepoKind): Repo {
  return { kind, name, fullName: `${owner}/${name}`, url: `https://github.com/${owner}/${name}.git` };
}

function sizing(env: Environment): Sizing {
  if (env.isProduction) {
    return {
      replicas: 3,
      // Off by default: the clusters run metrics-server (an EKS add-on), so the team can turn the
      // HPA on in the values file, which hands the replica count from Argo CD to the HPA.
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
 * The OIDC `sub` claim template every repository of the platform sets (scripts/configure-github-oidc.sh
 * in the infra repo): with job_workflow_ref in it, a role trusts one workflow file, not every workflow
 * that runs on main or in a GitHub Environment.
 */
const OIDC_CLAIM_KEYS = ['repo', 'context', 'job_workflow_ref'];
/** The workflow files whose jobs assume AWS roles. */
const WORKFLOWS = { terraform: 'terraform.yaml', drift: 'drift.yaml', promote: 'promote.yaml', ci: 'ci.yaml' };
const MAIN = 'refs/heads/main';
/** The ref of a pull_request run (refs/pull/<number>/merge): the only wildcard a trusted subject has. */
const PULL_REQUEST_REF = 'refs/pull/*/merge';

/** The `sub` of a job of `workflow` in repository r, given its context (OIDC_CLAIM_KEYS' order). */
function oidcSubject(r: Repo, context: string, workflow: string, ref: string): string {
  return `repo:${r.fullName}:${context}:job_workflow_ref:${r.fullName}/.github/workflows/${workflow}@${ref}`;
}

/**
 * The OIDC subjects of a read-only plan role: terraform.yaml on the repo's pull requests (or, given a
 * reviewed GitHub Environment, only its jobs in that environment), drift.yaml on main, and for a root
 * whose reviewed apply applies a plan made on main, terraform.yaml on main.
 */
function githubPlanSubjects(r: Repo, reviewed?: { planGithubEnvironment: string }): string[] {
  const review = reviewed ? `environment:${reviewed.planGithubEnvironment}` : 'pull_request';
  return [
    oidcSubject(r, review, WORKFLOWS.terraform, PULL_REQUEST_REF),
    oidcSubject(r, `ref:${MAIN}`, WORKFLOWS.drift, MAIN),
    ...(reviewed ? [oidcSubject(r, `ref:${MAIN}`, WORKFLOWS.terraform, MAIN)] : []),
  ];
}

function ciAccessModule(accountId: string, globalAccountId: string): string {
  return accountId === globalAccountId ? 'ci_access' : `ci_access_${accountId}`;
}

/** One environment, from its position in the promotion order. */
function environmentOf(platform: PlatformAnswers, index: number, infraRepo: Repo): Environment {
  const { org, awsAccountId, domain } = platform;
  const names = platform.environments;
  const name = names[index];
  const isProduction = index === names.length - 1;
  const accountId = platform.accounts?.[name] ?? awsAccountId;
  // Production's plan role reads its cluster's Secrets: pull requests plan it only in this reviewed GitHub Environment.
  const infraPlanGithubEnvironment = isProduction ? `${name}-plan` : undefined;
  const secretsPrefix = `${org}/${name}/`;
  // Completed answers carry every environment's CIDR; allocating again gives the same ones.
  const vpcCidr = allocateVpcCidrs(names, platform.vpcCidrs ?? {})[name];
  const argocdPath = `argocd/${name}`;
  return {
    name,
    index,
    isFirst: index === 0,
    isProduction,
    previous: index > 0 ? names[index - 1] : undefined,
    next: isProduction ? undefined : names[index + 1],
    accountId,
    clusterName: `${org}-${name}`,
    argocdProject: name,
    argocdPath,
    deployedImageTagPrefix: `deployed-${name}-`,
    deployConcurrencyGroup: `deploy-${name}`,
    secretsPrefix,
    stateKey: `environments/${name}/terraform.tfstate`,
    terraformDir: `environments/${name}`,
    valuesDir: `environments/${name}`,
    ciAccessModule: ciAccessModule(accountId, awsAccountId),
    externalSecretsRole: role(accountId, `${name}-external-secrets`),
    infraPlanRole: role(accountId, `gha-infra-plan-${name}`),
    infraApplyRole: role(accountId, `gha-infra-apply-${name}`),
    infraGithubEnvironment: name,
    infraPlanSubjects: githubPlanSubjects(
      infraRepo,
      infraPlanGithubEnvironment ? { planGithubEnvironment: infraPlanGithubEnvironment } : undefined,
    ),
    infraPlanGithubEnvironment,
    infraApplySubject: oidcSubject(infraRepo, `environment:${name}`, WORKFLOWS.terraform, MAIN),
    argocdRepoSecretName: `argocd/${name}-gitops-repo`,
    chartReleaseAgeDays: index * 7,
    chartUpdates: { files: `${argocdPath}/**`, group: `platform charts (${name})` },
    argocdChartUpdates: { files: `environments/${name}/**`, group: `Argo CD charts (${name})` },
    kubernetesVersion: platform.kubernetesVersions?.[name] ?? platform.kubernetesVersion,
    vpcCidr,
    publicSubnetCidrs: Array.from({ length: VPC.zones }, (_, i) =>
      cidrSubnet(vpcCidr, VPC.publicSubnet.newbits, VPC.publicSubnet.first + i),
    ),
    nodeGroup: isProduction
      ? { instanceTypes: ['m7i.large'], minSize: 3, maxSize: 6, desiredSize: 3 }
      : { instanceTypes: ['t3.large'], minSize: 2, maxSize: 4, desiredSize: 2 },
    logRetentionDays: isProduction ? 365 : 90,
    vpcName: `${org}-${name}`,
    loadBalancerControllerRole: domain ? role(accountId, `${name}-aws-load-balancer-controller`) : undefined,
    developerRole: role(accountId, `${name}-developers-readonly`),
    clusterAdminArns: (platform.clusterAdmins ?? []).filter((arn) => roleArnAccount(arn) === accountId),
    certificateDomain: domain ? `*.${name}.${domain}` : undefined,
    argocdWebhook: domain
      ? { host: `argocd.${name}.${domain}`, secretName: `${secretsPrefix}argocd/github-webhook` }
      : undefined,
  };
}

/** Distinct accounts, the global one first, each with the environments it holds (in order). */
function accountsOf(org: string, global: string, environments: Environment[]): Account[] {
  const accounts: Account[] = [{ id: global, isGlobal: true, environments: [], ciAccessModule: 'ci_access' }];
  for (const env of environments) {
    let account = accounts.find((a) => a.id === env.accountId);
    if (!account) {
      account = {
        id: env.accountId,
        isGlobal: false,
        environments: [],
        ciAccessModule: ciAccessModule(env.accountId, global),
        providerAlias: `account_${env.accountId}`,
        suggestedProfile: `${org}-${env.name}`,
      };
      accounts.push(account);
    }
    account.environments.push(env.name);
  }
  return accounts;
}

/** The local modules (terraform/...) each kind of root calls, with the modules those call. */
const ROOT_MODULES = {
  global: ['terraform/ecr', 'terraform/iam/github-oidc-role'],
  environment: ['terraform/vpc', 'terraform/eks', 'terraform/iam/pod-identity-role', 'terraform/argocd'],
} as const;

function rootsOf(
  terraform: Omit<Model['terraform'], 'roots' | 'planJobs' | 'changesJob'>,
  environments: Environment[],
) {
  const roots: TerraformRoot[] = [];
  const add = (
    root: Omit<TerraformRoot, 'applyJob' | 'applyNeeds' | 'applyConcurrencyGroup' | 'watchPaths' | 'reviewedPlan'>,
    modules: readonly string[],
  ) => {
    const earlier = roots.flatMap((r) => [...(r.reviewedPlan ? [r.reviewedPlan.job] : []), r.applyJob]);
    const reviewedPlan = root.reviewed
      ? { job: `plan-to-apply-${root.name}`, artifact: `tfplan-${root.name}` }
      : undefined;
    roots.push({
      ...root,
      watchPaths: [root.dir, ...modules, terraform.servicesFile],
      applyJob: `apply-${root.name}`,
      applyConcurrencyGroup: `terraform-apply-${root.name}`,
      applyNeeds: ['checks', CHANGES_JOB, ...earlier, ...(reviewedPlan ? [reviewedPlan.job] : [])],
      reviewedPlan,
    });
  };
  add(
    {
      name: 'global',
      dir: 'global',
      planRole: terraform.globalPlanRole,
      applyRole: terraform.globalApplyRole,
      githubEnvironment: terraform.globalGithubEnvironment,
      reviewed: false,
      stateKey: terraform.globalStateKey,
    },
    ROOT_MODULES.global,
  );
  for (const e of environments) {
    add(
      {
        name: e.name,
        dir: e.terraformDir,
        planRole: e.infraPlanRole,
        applyRole: e.infraApplyRole,
        githubEnvironment: e.infraGithubEnvironment,
        reviewed: e.isProduction,
        planGithubEnvironment: e.infraPlanGithubEnvironment,
        stateKey: e.stateKey,
      },
      ROOT_MODULES.environment,
    );
  }
  const planJobs: Model['terraform']['planJobs'] = [
    { id: 'plan', roots: roots.filter((r) => !r.planGithubEnvironment) },
    ...roots
      .filter((r) => r.planGithubEnvironment)
      .map((r) => ({ id: `plan-${r.name}`, roots: [r], githubEnvironment: r.planGithubEnvironment })),
  ];
  return { roots, planJobs, changesJob: CHANGES_JOB };
}

/** The job of the terraform workflow that finds which roots a push to main changed. */
const CHANGES_JOB = 'changes';

function terraformOf(platform: PlatformAnswers, infraRepo: Repo, environments: Environment[]): Model['terraform'] {
  const { org, awsAccountId } = platform;
  const accounts = accountsOf(org, awsAccountId, environments);
  const terraform = {
    stateBucket: `${org}-tfstate-${awsAccountId}`,
    globalStateKey: 'global/terraform.tfstate',
    globalPlanRole: role(awsAccountId, 'gha-infra-plan-global'),
    globalApplyRole: role(awsAccountId, 'gha-infra-apply-global'),
    globalGithubEnvironment: 'global',
    globalPlanSubjects: githubPlanSubjects(infraRepo),
    globalApplySubject: oidcSubject(infraRepo, 'environment:global', WORKFLOWS.terraform, MAIN),
    applyEnabledVariable: 'TERRAFORM_APPLY_ENABLED',
    stateBreakGlassRole: role(awsAccountId, 'state-break-glass'),
    stateLockDays: 30,
    bootstrapStateKey: 'bootstrap/terraform.tfstate',
    servicesFile: 'services.json',
    accounts,
    ecrPullAccounts: accounts.filter((a) => !a.isGlobal).map((a) => a.id),
    ecrDeployedTagPrefixes: environments
      .filter((e) => !e.isFirst)
      .reverse()
      .map((e) => e.deployedImageTagPrefix),
    ecrKeepDeployedImages: 20,
  };
  return { ...terraform, ...rootsOf(terraform, environments) };
}

/** Every service's ECR repository is this prefix and the service name. */
function ecrRepositoryPrefix(org: string): string {
  return `${org}/`;
}

/** Names a service keeps while it is removed: its namespace and ECR repository. */
function serviceNames(org: string, name: string): { namespace: string; repositoryName: string } {
  return { namespace: name, repositoryName: `${ecrRepositoryPrefix(org)}${name}` };
}

/** One service, in every environment. */
function serviceOf(s: ServiceAnswers, platform: PlatformAnswers, environments: Environment[]): Service {
  const { org, githubOwner, awsRegion, awsAccountId, domain } = platform;
  const registry = `${awsAccountId}.dkr.ecr.${awsRegion}.amazonaws.com`;
  const serviceRepo = repo(githubOwner, s.name, 'app');
  const { namespace, repositoryName } = serviceNames(org, s.name);
  return {
    name: s.name,
    port: s.port,
    namespace,
    serviceAccountName: s.name,
    repo: serviceRepo,
    chartPath: `charts/${s.name}`,
    image: { registry, repositoryName, repository: `${registry}/${repositoryName}` },
    ciRole: role(awsAccountId, `gha-svc-${s.name}`),
    ciRoleSubject: oidcSubject(serviceRepo, `ref:${MAIN}`, WORKFLOWS.ci, MAIN),
    environments: environments.map((env) => ({
      env,
      valuesFile: `${env.valuesDir}/${s.name}.yaml`,
      applicationName: `${s.name}-${env.name}`,
      host: domain ? `${s.name}.${env.name}.${domain}` : undefined,
      secretsPrefix: `${env.secretsPrefix}${s.name}/`,
      podRole: role(env.accountId, `${env.name}-${s.name}`),
      sizing: sizing(env),
    })),
  };
}

export function buildModel(
  platform: PlatformAnswers,
  services: ServiceAnswers[],
  generator: { name: string; version: string },
): Model {
  const { org, githubOwner, awsRegion, awsAccountId } = platform;
  const infraRepo = repo(githubOwner, `${org}-infra`, 'infra');
  const gitopsRepo = repo(githubOwner, `${org}-gitops`, 'gitops');
  const environments = platform.environments.map((_, index) => environmentOf(platform, index, infraRepo));
  const sorted = [...services].sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const active = sorted.filter((s) => s.retired === undefined);
  const retiredServices: RetiredService[] = sorted.flatMap((s) =>
    s.retired === 'pending' || s.retired === 'kept'
      ? [
          {
            name: s.name,
            stage: s.retired,
            namespace: serviceNames(org, s.name).namespace,
            ecrRepositoryName: serviceNames(org, s.name).repositoryName,
            forceDeleteImages: s.purgeImages === true,
          },
        ]
      : [],
  );
  const serviceModels = active.map((s) => serviceOf(s, platform, environments));
  return {
    generator,
    vpc: VPC,
    org,
    githubOwner,
    awsRegion,
    awsAccountId,
    kubernetesVersion: platform.kubernetesVersion,
    kubernetesToolsVersion: `${platform.kubernetesVersion}.0`,
    domain: platform.domain || undefined,
    environments,
    firstEnvironment: environments[0],
    productionEnvironment: environments[environments.length - 1],
    repos: { infra: infraRepo, gitops: gitopsRepo },
    oidc: { claimKeys: OIDC_CLAIM_KEYS, configureScript: 'scripts/configure-github-oidc.sh' },
    terraform: terraformOf(platform, infraRepo, environments),
    services: serviceModels,
    retiredServices,
    promote: {
      githubEnvironment: PROMOTE_ENVIRONMENT,
      role: role(awsAccountId, 'gha-gitops-promote'),
      roleSubject: oidcSubject(gitopsRepo, `environment:${PROMOTE_ENVIRONMENT}`, WORKFLOWS.promote, MAIN),
      ecrRepositoryPrefix: ecrRepositoryPrefix(org),
    },
    argocd: {
      namespace: ARGOCD_NAMESPACE,
      destinationServer: IN_CLUSTER,
      chartRepository: 'https://argoproj.github.io/argo-helm',
      rootApplication: 'root',
      rootProject: 'root',
      hpaFieldManager: 'kube-controller-manager',
      serviceNamespaces: [
        ...serviceModels.map((s) => s.namespace),
        ...retiredServices.filter((r) => r.stage === 'pending').map((r) => r.namespace),
      ].sort((a, b) => a.localeCompare(b, 'en')),
    },
    templateUpdate: {
      branch: 'gitops-platform/template-update',
      // Mondays early in the morning (UTC), at a minute off the hour: GitHub delays scheduled runs at :00.
      cron: '23 5 * * 1',
      workflow: '.github/workflows/template-update.yaml',
      script: 'scripts/template-update.sh',
      // A token that may push workflow files (the job's own may not) and whose pull requests start checks.
      secret: 'TEMPLATE_UPDATE_TOKEN',
      // The secret lives in this GitHub environment, limited to the default branch: no other job reads it.
      environment: 'template-update',
    },
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

# Argo CD bootstrap: the only Helm install Terraform ever does. It installs the pinned argo-cd
# chart, gives Argo CD read access to the private GitOps repository, and creates one root
# Application that syncs this environment's folder of that repository; Argo CD pulls everything
# else from Git.
resource "helm_release" "argo_cd" {
  name             = "argo-cd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = var.chart_version
  namespace        = var.namespace
  create_namespace = true
  wait             = true
  timeout          = 900

  # The values are a file of their own so that they read as the chart documents them (and the
  # generator's live test bed runs Argo CD with this very file). The environment's extra values
  # come last, so they extend or override them (Helm merges the list in order).
  values = compact([
    templatefile("${path.module}/argo-cd-values.yaml.tftpl", {
      replicas = var.replicas
    }),
    var.extra_values,
  ])
}

# The GitHub App credential is read from Secrets Manager as an ephemeral value and written into
# the cluster through a write-only attribute: it is in neither the plan nor the state, and never in
# Git or a workflow.
ephemeral "aws_secretsmanager_secret_version" "repo_credential" {
  secret_id = var.repo_credential_secret_name
}

locals {
  repo_credential = jsondecode(ephemeral.aws_secretsmanager_secret_version.repo_credential.secret_string)
}

resource "kubernetes_secret_v1" "gitops_repo" {
  metadata {
    name      = "gitops-repo"
    namespace = var.namespace
    labels = {
      "argocd.argoproj.io/secret-type" = "repository"
    }
  }

  data_wo = {
    type                    = "git"
    url                     = var.repo_url
    githubAppID             = tostring(local.repo_credential.githubAppID)
    githubAppInstallationID = tostring(local.repo_credential.githubAppInstallationID)
    githubAppPrivateKey     = local.repo_credential.githubAppPrivateKey
  }
  data_wo_revision = var.repo_credential_revision

  depends_on = [helm_release.argo_cd]
}

# The root Application (argocd-apps chart, after the CRDs of the argo-cd chart exist).
resource "helm_release" "root" {
  name       = var.root_application
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argocd-apps"
  version    = var.apps_chart_version
  namespace  = var.namespace

  # The root Application and its project, as the argocd-apps chart's `applications` and
  # `projects` values (read by the generator's live test bed as well).
  values = [templatefile("${path.module}/root-application.yaml.tftpl", {
    name      = var.root_application
    project   = var.root_project
    namespace = var.namespace
    repo_url  = var.repo_url
    path      = var.path
    server    = var.destination_server
  })]

  depends_on = [helm_release.argo_cd, kubernetes_secret_v1.gitops_repo]
}

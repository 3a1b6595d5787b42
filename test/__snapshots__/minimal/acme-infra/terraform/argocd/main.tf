# Argo CD bootstrap: the only Helm install Terraform ever does. It installs the pinned argo-cd
# chart, gives Argo CD read access to the private GitOps repository, and creates one root
# Application that syncs this environment's folder of that repository; Argo CD pulls everything
# else from Git.
resource "helm_release" "argo_cd" {
  name             = "argo-cd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = "10.1.1"
  namespace        = var.namespace
  create_namespace = true
  wait             = true
  timeout          = 900

  set = [
    # No SSO is configured: sign in as admin (README.md) until you add one.
    { name = "dex.enabled", value = "false" },
    { name = "server.replicas", value = tostring(var.replicas) },
    { name = "repoServer.replicas", value = tostring(var.replicas) },
  ]

  # Since Argo CD 1.8 an Application has no health of its own as a resource of another Application,
  # so the root Application's sync waves would not wait for its child Applications: the
  # ClusterSecretStore and the services would sync before External Secrets (and its CRDs) is
  # healthy. This health check, from the Argo CD docs ("Resource Health", Argo CD App), restores it:
  # a child Application counts as its own status.health (Healthy, Progressing, Degraded, ...).
  values = [yamlencode({
    configs = {
      cm = {
        "resource.customizations.health.argoproj.io_Application" = <<-EOT
          hs = {}
          hs.status = "Progressing"
          hs.message = ""
          if obj.status ~= nil then
            if obj.status.health ~= nil then
              hs.status = obj.status.health.status
              if obj.status.health.message ~= nil then
                hs.message = obj.status.health.message
              end
            end
          end
          return hs
        EOT
      }
    }
  })]
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
  version    = "2.0.5"
  namespace  = var.namespace

  values = [yamlencode({
    applications = {
      (var.root_application) = {
        namespace = var.namespace
        project   = "default"
        # Deleting the root Application deletes every Application it created, and their resources.
        finalizers = ["resources-finalizer.argocd.argoproj.io"]
        source = {
          repoURL        = var.repo_url
          targetRevision = "main"
          path           = var.path
          directory = {
            recurse = true
          }
        }
        destination = {
          server    = var.destination_server
          namespace = var.namespace
        }
        syncPolicy = {
          automated = {
            prune    = true
            selfHeal = true
          }
          # On a new cluster the first sync fails on resources whose CRDs an earlier wave installs;
          # the retries succeed.
          retry = {
            limit = 10
            backoff = {
              duration    = "10s"
              factor      = 2
              maxDuration = "5m"
            }
          }
        }
      }
    }
  })]

  depends_on = [helm_release.argo_cd, kubernetes_secret_v1.gitops_repo]
}

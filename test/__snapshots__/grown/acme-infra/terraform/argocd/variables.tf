variable "namespace" {
  description = "Namespace of Argo CD (and of its Applications)."
  type        = string
}

variable "chart_version" {
  description = "Version of the argo-cd chart. Each environment root pins its own, so that an update reaches one environment at a time."
  type        = string
}

variable "apps_chart_version" {
  description = "Version of the argocd-apps chart (the root Application), pinned by each environment root like chart_version."
  type        = string
}

variable "repo_url" {
  description = "HTTPS clone URL of the GitOps repository, exactly as its Applications name it."
  type        = string
}

variable "path" {
  description = "Folder of the GitOps repository that the root Application syncs, recursively."
  type        = string
}

variable "root_application" {
  description = "Name of the root Application."
  type        = string
}

variable "root_project" {
  description = "Name of the AppProject of the root Application, made with it (not from the GitOps repository)."
  type        = string
}

variable "destination_server" {
  description = "API server the root Application deploys to (this cluster)."
  type        = string
}

variable "repo_credential_secret_name" {
  description = "Secrets Manager secret (this account) holding the GitHub App credential as JSON: githubAppID, githubAppInstallationID, githubAppPrivateKey."
  type        = string
}

variable "repo_credential_revision" {
  description = "Bump after rotating the GitHub App key in Secrets Manager: Terraform then writes it into the cluster again (it never stores it)."
  type        = number
}

variable "replicas" {
  description = "Replicas of the Argo CD API server and repo server."
  type        = number
}

variable "extra_values" {
  description = "More values of the argo-cd chart, as YAML, applied over the generated ones: SSO (configs.cm, dex), RBAC (configs.rbac), notifications, resource limits. Empty: none."
  type        = string
  default     = ""
}

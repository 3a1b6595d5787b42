# An IAM role for one Kubernetes service account through EKS Pod Identity, associated with it in
# one cluster. The trust policy also checks the session tags the Pod Identity agent sets, so no
# other association (another cluster, namespace or service account) can use the role.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

module "pod_identity" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "2.8.1"

  name            = var.name
  use_name_prefix = false
  description     = var.description

  trust_policy_conditions = [
    {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks-cluster-name"
      values   = [var.cluster_name]
    },
    {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [var.namespace]
    },
    {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [var.service_account]
    },
  ]

  # Read only: no create/delete permission. Policy names are per role, so environments that share
  # an account do not clash on the module's default policy names.
  attach_external_secrets_policy        = length(var.secrets_manager_arns) > 0
  external_secrets_policy_name          = "${var.name}-secrets"
  external_secrets_secrets_manager_arns = var.secrets_manager_arns
  external_secrets_kms_key_arns         = ["arn:${data.aws_partition.current.partition}:kms:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:key/*"]
  external_secrets_create_permission    = false

  attach_aws_lb_controller_policy = var.attach_load_balancer_controller_policy
  aws_lb_controller_policy_name   = "${var.name}-lb-controller"

  associations = {
    this = {
      cluster_name    = var.cluster_name
      namespace       = var.namespace
      service_account = var.service_account
    }
  }
}

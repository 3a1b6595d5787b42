# One ECR repository: immutable tags (an image is built once, the same digest runs everywhere),
# scan on push, a lifecycle policy, and pull access for the environment accounts. Push access is
# granted on the service's CI role (global/), not here.
data "aws_partition" "current" {}

module "repository" {
  #checkov:skip=CKV_TF_1:Registry module pinned to an exact version from the generator's pin table (Renovate bumps it); a commit hash would bypass the registry's version resolution.
  source  = "terraform-aws-modules/ecr/aws"
  version = "3.2.0"

  repository_name                 = var.name
  repository_image_tag_mutability = "IMMUTABLE"
  repository_image_scan_on_push   = true
  repository_force_delete         = var.force_delete

  # Without other accounts the module's default policy names this account only.
  repository_read_access_arns = [for id in var.pull_account_ids : "arn:${data.aws_partition.current.partition}:iam::${id}:root"]

  create_lifecycle_policy     = true
  repository_lifecycle_policy = local.lifecycle_policy
}

locals {
  # An image deployed anywhere must not expire: a Deployment pinned to its digest could not start a
  # pod again. The promote workflow tags each image it promotes <prefix><digest hex>
  # (deployed_tag_prefixes, production first), and one rule per environment keeps the newest
  # keep_deployed_images of them. ECR never expires an image through a lower-priority rule once a
  # rule's tag pattern matches it. The last rule keeps the newest keep_images of the rest: the
  # first environment runs the newest builds, and a revert there reaches that far back.
  lifecycle_policy = jsonencode({
    rules = concat(
      [for i, prefix in var.deployed_tag_prefixes : {
        rulePriority = i + 1
        description  = "Keep the newest ${var.keep_deployed_images} images tagged ${prefix}*"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["${prefix}*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.keep_deployed_images
        }
        action = {
          type = "expire"
        }
      }],
      [{
        rulePriority = length(var.deployed_tag_prefixes) + 1
        description  = "Keep the newest ${var.keep_images} images no promotion tagged"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_images
        }
        action = {
          type = "expire"
        }
      }],
    )
  })
}

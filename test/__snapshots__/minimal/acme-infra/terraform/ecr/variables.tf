variable "name" {
  description = "Name of the ECR repository."
  type        = string
}

variable "force_delete" {
  description = "Delete the repository with the images in it. Off: a repository that holds images cannot be destroyed, so no change deletes images by accident. Turned on, and applied, before the repository is removed (service remove --purge-images)."
  type        = bool
  default     = false
}

variable "pull_account_ids" {
  description = "Other AWS accounts (the environment accounts) whose principals may pull from the repository; their IAM policies decide who exactly."
  type        = list(string)
  default     = []
}

variable "keep_images" {
  description = "How many images that no promotion tagged the lifecycle policy keeps (the oldest beyond that expire): the first environment runs the newest of them."
  type        = number
}

variable "deployed_tag_prefixes" {
  description = "Tag prefix of the images deployed to each environment, production first (one lifecycle rule each, in this priority)."
  type        = list(string)

  validation {
    condition     = alltrue([for p in var.deployed_tag_prefixes : can(regex("^[a-z0-9][a-z0-9-]*-$", p))])
    error_message = "Each prefix is lowercase letters, digits and '-', and ends with '-'."
  }
}

variable "keep_deployed_images" {
  description = "How many of the latest images deployed to each environment are kept: a git revert can go back this many deploys."
  type        = number

  validation {
    condition     = var.keep_deployed_images >= 2
    error_message = "Keep at least the image deployed now and the one before it."
  }
}

variable "name" {
  description = "Name of the ECR repository."
  type        = string
}

variable "pull_account_ids" {
  description = "Other AWS accounts (the environment accounts) whose principals may pull from the repository; their IAM policies decide who exactly."
  type        = list(string)
  default     = []
}

variable "keep_images" {
  description = "How many images the lifecycle policy keeps (the oldest beyond that expire)."
  type        = number
}

variable "name" {
  description = "Name of the IAM role (exact, no prefix)."
  type        = string
}

variable "description" {
  description = "What the role is for."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (token.actions.githubusercontent.com) of this account."
  type        = string
}

variable "subjects" {
  description = "Exact `sub` claims allowed to assume the role: each names one repository and one branch, one GitHub Environment, or its pull requests. No wildcards."
  type        = list(string)

  validation {
    condition = length(var.subjects) > 0 && alltrue([
      for s in var.subjects : can(regex("^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(ref:refs/heads/[A-Za-z0-9_./-]+|environment:[A-Za-z0-9_.-]+|pull_request)$", s))
    ])
    error_message = "Each subject must be repo:<owner>/<repo>:ref:refs/heads/<branch>, repo:<owner>/<repo>:environment:<name> or repo:<owner>/<repo>:pull_request, without wildcards."
  }

  validation {
    condition     = length(distinct([for s in var.subjects : split(":", s)[1]])) == 1
    error_message = "All subjects of one role must name the same repository."
  }
}

variable "policy_arns" {
  description = "Managed policies to attach, by a static key."
  type        = map(string)
  default     = {}
}

variable "inline_policy_statements" {
  description = "Statements of the role's inline policy, by SID (Allow unless effect says Deny; actions or not_actions)."
  type = map(object({
    effect      = optional(string, "Allow")
    actions     = optional(list(string))
    not_actions = optional(list(string))
    resources   = list(string)
    condition = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })))
  }))
  default = {}
}

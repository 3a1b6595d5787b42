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
  description = "`sub` claims allowed to assume the role, in the repositories' claim template (repo, context, job_workflow_ref): each names one repository, one branch, GitHub Environment or its pull requests, and one workflow file of that repository. The one wildcard: a pull request's number (refs/pull/*/merge)."
  type        = list(string)

  validation {
    condition = length(var.subjects) > 0 && alltrue([
      for s in var.subjects : can(regex("^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:(ref:refs/heads/[A-Za-z0-9_./-]+|environment:[A-Za-z0-9_.-]+|pull_request):job_workflow_ref:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/\\.github/workflows/[A-Za-z0-9_.-]+@refs/(heads/[A-Za-z0-9_./-]+|pull/\\*/merge)$", s))
    ])
    error_message = "Each subject must be repo:<owner>/<repo>:<context>:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@<ref>, the context ref:refs/heads/<branch>, environment:<name> or pull_request, the ref refs/heads/<branch> or refs/pull/*/merge, and no other wildcard."
  }

  validation {
    condition = alltrue([
      for s in var.subjects : split(":", s)[1] == split("/.github/workflows/", element(split(":", s), length(split(":", s)) - 1))[0]
    ])
    error_message = "Each subject's workflow must be a workflow of the subject's own repository."
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

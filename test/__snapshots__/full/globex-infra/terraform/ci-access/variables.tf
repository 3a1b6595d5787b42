variable "state_bucket" {
  description = "Name of the Terraform state bucket (in the global account)."
  type        = string
}

variable "roots" {
  description = "The Terraform roots whose CI roles live in this account, by root name: role names, the OIDC subjects each role trusts, the root's state key, its `root` tag (what its resources carry) and the Secrets Manager secrets its plan must read."
  type = map(object({
    plan_role         = string
    plan_subjects     = list(string)
    apply_role        = string
    apply_subject     = string
    state_key         = string
    root_tag          = string
    plan_secret_names = list(string)
  }))
}

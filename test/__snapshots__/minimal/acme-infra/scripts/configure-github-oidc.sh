#!/usr/bin/env bash
# Sets the OIDC subject claim template of every repository of the platform to repo, context, job_workflow_ref,
# the `sub` the CI roles' trust policies expect: with the workflow file in it, a role trusts one
# workflow, not every workflow that runs on main or in a GitHub Environment. Until a repository has
# this template, none of its jobs can assume a role.
#
# First it checks that GitHub spells every repository (owner included) as the trust policies do: AWS
# compares the `sub` case-sensitively, and GitHub puts its own spelling in it. Run it once the
# repositories exist, and again after `gitops-platform service` adds one. Needs gh (logged in as an
# administrator of every repository) and jq.
#
#   scripts/configure-github-oidc.sh           set the template where it differs, then check
#   scripts/configure-github-oidc.sh --check   only check; exit 1 if a repository needs it
#
# Exit codes: 0 every repository has the template, 1 one does not (or GitHub spells it differently),
# 2 bad usage.
set -euo pipefail

TEMPLATE='{"use_default":false,"include_claim_keys":["repo","context","job_workflow_ref"]}'

check_only=false
case "${1-}" in
  '') ;;
  --check) check_only=true ;;
  *)
    echo "usage: scripts/configure-github-oidc.sh [--check]" >&2
    exit 2
    ;;
esac
[[ $# -le 1 ]] || {
  echo "usage: scripts/configure-github-oidc.sh [--check]" >&2
  exit 2
}
for tool in gh jq; do
  command -v "$tool" >/dev/null || {
    echo "configure-github-oidc: $tool is not installed" >&2
    exit 1
  }
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The infra and GitOps repositories, and every service's (services.json; a removed
# service's repository has no role left to assume).
services=$(jq -r '.[] | select(.retired | not) | .repository' 'services.json')
REPOS=('acme/acme-infra' 'acme/acme-gitops')
while IFS= read -r repo; do
  if [[ -n "$repo" ]]; then REPOS+=("$repo"); fi
done <<<"$services"

# Every repository first: a missing one or another spelling changes nothing anywhere.
for repo in "${REPOS[@]}"; do
  actual=$(gh api "repos/$repo" --jq .full_name)
  if [[ "$actual" != "$repo" ]]; then
    echo "configure-github-oidc: GitHub spells $repo as $actual, and the trust policies compare the sub claim case-sensitively." >&2
    echo "  Run \`gitops-platform upgrade --github-owner ${actual%%/*}\` in the workspace (it rewrites every subject), then apply bootstrap/ and the roots again." >&2
    exit 1
  fi
done

want=$(jq -cS . <<<"$TEMPLATE")
failed=0
for repo in "${REPOS[@]}"; do
  have=$(gh api "repos/$repo/actions/oidc/customization/sub" | jq -cS '{use_default, include_claim_keys}')
  if [[ "$have" == "$want" ]]; then
    echo "configure-github-oidc: $repo has the claim template"
  elif $check_only; then
    echo "configure-github-oidc: $repo has $have, not $want" >&2
    failed=1
  else
    gh api -X PUT "repos/$repo/actions/oidc/customization/sub" --input - <<<"$TEMPLATE" >/dev/null
    echo "configure-github-oidc: $repo now has the claim template"
  fi
done
exit "$failed"

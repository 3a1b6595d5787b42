#!/usr/bin/env bash
# Which Terraform roots a change touches, for the terraform workflow: on a push to main it applies
# only those, so a change of one environment never waits behind another's approval, and
# prod's approval is asked only when prod changes. A root changed when a file changed
# under its folder, under a local module it uses, or services.json (every root reads it).
#
#   scripts/changed-roots.sh <base-commit> <head-commit>
#
# Prints <root>=true|false, one line per root, and appends them to $GITHUB_OUTPUT when it is set.
# A base that is all zeros or not in this clone (a new branch, a force push) marks every root.
# Exit codes: 0 done, 2 refused: bad arguments.
set -euo pipefail

ROOTS=('global' 'dev' 'staging' 'prod')
# What each root is made of (paths from the repository root).
declare -A PATHS=(
  ['global']='global terraform/ecr terraform/iam/github-oidc-role services.json'
  ['dev']='environments/dev terraform/vpc terraform/eks terraform/iam/pod-identity-role terraform/argocd services.json'
  ['staging']='environments/staging terraform/vpc terraform/eks terraform/iam/pod-identity-role terraform/argocd services.json'
  ['prod']='environments/prod terraform/vpc terraform/eks terraform/iam/pod-identity-role terraform/argocd services.json'
)

if (($# != 2)); then
  echo "usage: scripts/changed-roots.sh <base-commit> <head-commit>" >&2
  exit 2
fi
base=$1
head=$2
cd "$(dirname "${BASH_SOURCE[0]}")/.."
git cat-file -e "$head^{commit}" 2>/dev/null || {
  echo "changed-roots: $head is not a commit here" >&2
  exit 2
}

every=false
changed=()
if [[ $base =~ ^0+$ ]] || ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "changed-roots: no base commit to compare with ($base): every root counts as changed" >&2
  every=true
else
  mapfile -t changed < <(git diff --name-only --no-renames "$base" "$head")
fi

for root in "${ROOTS[@]}"; do
  value=$every
  read -r -a paths <<<"${PATHS[$root]}"
  for file in "${changed[@]}"; do
    for path in "${paths[@]}"; do
      if [[ $file == "$path" || $file == "$path"/* ]]; then
        value=true
      fi
    done
  done
  echo "$root=$value"
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    echo "$root=$value" >>"$GITHUB_OUTPUT"
  fi
done

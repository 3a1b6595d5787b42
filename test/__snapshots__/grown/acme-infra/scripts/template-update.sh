#!/usr/bin/env bash
# Brings the newest release of generator-gitops-platform's templates into this repository: runs its
# `upgrade` here (every hand edit kept; template changes merged in three ways), stages the result and
# writes the pull request's title and body. The template-update workflow runs it every week and
# opens (or updates) the pull request; anyone may run it by hand.
#
# Conflicts (your edits and the templates' on the same lines) stay in their files between
# <<<<<<< and >>>>>>> markers, and the body lists them: nothing is merged by itself.
#
# Environment:
#   GITOPS_PLATFORM_PACKAGE  the package to run (default: generator-gitops-platform@latest;
#                            a path to a tarball from `npm pack` works too)
#   TEMPLATE_UPDATE_BODY     where the pull request body goes (default: a temporary file)
#   GITHUB_OUTPUT            where changed=true|false, title and conflicts go (set by GitHub Actions)
# Exit: 0 with or without changes; 1 when the upgrade failed (its report on stderr).
set -euo pipefail

package=${GITOPS_PLATFORM_PACKAGE:-generator-gitops-platform@latest}
body=${TEMPLATE_UPDATE_BODY:-$(mktemp)}
output=${GITHUB_OUTPUT:-/dev/null}
for tool in npm jq git; do
  command -v "$tool" >/dev/null || {
    echo "template-update: $tool is not installed" >&2
    exit 1
  }
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -n "$(git status --porcelain)" ]]; then
  echo "template-update: the work tree has uncommitted changes; run it on a clean checkout" >&2
  exit 1
fi

report=$(mktemp)
trap 'rm -f "$report"' EXIT
# upgrade exits 0 when it applied everything (or nothing was due) and 3 when conflicts remain.
status=0
npm exec --yes --package="$package" -- gitops-platform upgrade --json >"$report" || status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then
  echo "template-update: gitops-platform upgrade failed (exit $status):" >&2
  cat "$report" >&2
  exit 1
fi

from=$(jq -r '.repos[0].from' "$report")
to=$(jq -r '.repos[0].to' "$report")
if [[ -z "$(git status --porcelain)" ]]; then
  echo "template-update: up to date with generator-gitops-platform $to"
  echo "changed=false" >>"$output"
  exit 0
fi
# Conflicted files are staged with their markers, so the pull request shows them as they are.
git add --all

title="chore: generator-gitops-platform templates $from -> $to"
conflicts=$(jq -r '.repos[0].files[] | select(.action == "conflict") | .path' "$report")
count=$(jq '[.repos[0].files[] | select(.action == "conflict")] | length' "$report")
{
  echo "Brings the templates of generator-gitops-platform $to into this repository (last generated or upgraded with $from), as \`gitops-platform upgrade\` does: every hand edit is kept, and template changes are merged with them."
  echo
  echo "| action | files |"
  echo "|---|---|"
  jq -r '.repos[0].files | group_by(.action)[] | "| \(.[0].action) | \(length) |"' "$report"
  echo
  if [[ $count -gt 0 ]]; then
    echo "### $count conflict(s) to resolve before merging"
    echo
    echo "Your edits and the templates' touch the same lines here; each place is marked between \`<<<<<<<\` and \`>>>>>>>\` in the file. Resolve them on this branch:"
    echo
    while IFS= read -r path; do echo "- \`$path\`"; done <<<"$conflicts"
    echo
  fi
  if [[ $(jq -r '.repos[0].base' "$report") == manifest-only ]]; then
    echo "No three-way base could be had ($(jq -r '.repos[0].reason' "$report")): a file you edited that the templates changed is left as yours and listed above; compare it with the template."
    echo
  fi
  echo "Nothing here is merged by itself: review it like any change. Made by \`.github/workflows/template-update.yaml\` (\`scripts/template-update.sh\`); the next run updates this pull request."
} >"$body"
{
  echo "changed=true"
  echo "title=$title"
  echo "conflicts=$count"
} >>"$output"
echo "template-update: $title ($count conflict(s)); pull request body in $body"

#!/usr/bin/env bash
# Brings the newest release of generator-gitops-platform's templates into this repository: runs its
# `upgrade` here (every hand edit kept; template changes merged in three ways), stages the result and
# writes the pull request's title and body. With --pull-request (the weekly template-update
# workflow), it also commits that on gitops-platform/template-update, pushes it and opens the pull
# request, or updates the open one; anyone may run it by hand without.
#
# Conflicts (your edits and the templates' on the same lines) stay in their files between
# <<<<<<< and >>>>>>> markers, and the body lists them: nothing is merged by itself. A pull request
# branch that has commits of people on it (conflicts being resolved there) is left alone.
#
# Usage: scripts/template-update.sh [--pull-request]
# Environment:
#   GITOPS_PLATFORM_PACKAGE  the package to run (default: generator-gitops-platform@latest;
#                            a path to a tarball from `npm pack` works too)
#   TEMPLATE_UPDATE_BODY     where the pull request body goes (default: a temporary file)
#   GITHUB_OUTPUT            where changed=true|false, title and conflicts go (set by GitHub Actions)
#   GH_TOKEN                 with --pull-request: the token gh and git push use (workflow files
#                            change only with one that has the Workflows permission)
# Exit: 0 with or without changes; 1 when the upgrade, the push or gh failed; 2 bad arguments.
set -euo pipefail

pull_request=false
case ${1:-} in
  '') ;;
  --pull-request) pull_request=true ;;
  *)
    echo "usage: scripts/template-update.sh [--pull-request]" >&2
    exit 2
    ;;
esac
branch='gitops-platform/template-update'
bot_name='github-actions[bot]'
bot_email='41898282+github-actions[bot]@users.noreply.github.com'
package=${GITOPS_PLATFORM_PACKAGE:-generator-gitops-platform@latest}
body=${TEMPLATE_UPDATE_BODY:-$(mktemp)}
output=${GITHUB_OUTPUT:-/dev/null}
tools=(npm jq git)
if [[ $pull_request == true ]]; then tools+=(gh); fi
for tool in "${tools[@]}"; do
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
  echo "Nothing here is merged by itself: review it like any change. Made by \`.github/workflows/template-update.yaml\` (\`scripts/template-update.sh\`); the next run updates this pull request, unless someone has committed on its branch."
} >"$body"
{
  echo "changed=true"
  echo "title=$title"
  echo "conflicts=$count"
} >>"$output"
echo "template-update: $title ($count conflict(s)); pull request body in $body"
if [[ $pull_request != true ]]; then exit 0; fi

# The branch: this commit on top of the default branch, replacing the bot's earlier one, unless
# people have committed on it.
git fetch --quiet origin "+refs/heads/$branch:refs/remotes/origin/$branch" 2>/dev/null || true
# What the branch was when read: the push below replaces exactly that (nothing if it did not exist),
# so a commit someone pushes meanwhile is never overwritten.
seen=$(git rev-parse --verify --quiet "refs/remotes/origin/$branch" || true)
if [[ -n $seen ]]; then
  people=$(git log --format=%ae "HEAD..refs/remotes/origin/$branch" | grep -vxF "$bot_email" | sort -u || true)
  if [[ -n "$people" ]]; then
    echo "template-update: $branch has commits of people ($(paste -sd, - <<<"$people")); left alone. Merge its pull request, or close it and delete the branch, and the next run starts afresh."
    exit 0
  fi
fi
git switch --quiet --force-create "$branch"
git -c user.name="$bot_name" -c user.email="$bot_email" commit --quiet --message "$title"
gh auth setup-git
if ! git push --quiet --force-with-lease="refs/heads/$branch:$seen" origin "$branch"; then
  if [[ -n "$(git diff --name-only HEAD~1 HEAD -- .github/workflows)" ]]; then
    echo "template-update: the push was refused; this update changes files in .github/workflows, which GitHub accepts only from a token with the Workflows permission: set the secret TEMPLATE_UPDATE_TOKEN of the environment template-update (README, \"Template updates\")" >&2
  fi
  exit 1
fi
if [[ $(gh pr list --head "$branch" --state open --json number --jq length) -gt 0 ]]; then
  gh pr edit "$branch" --title "$title" --body-file "$body"
  echo "template-update: updated the pull request of $branch"
else
  gh pr create --head "$branch" --title "$title" --body-file "$body"
  echo "template-update: opened a pull request from $branch"
fi

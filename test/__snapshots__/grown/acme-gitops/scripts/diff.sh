#!/usr/bin/env bash
# Shows what a change to this repo does to each cluster: renders the repo at two commits with
# scripts/render.sh (every Application as Argo CD renders it) and prints, environment by
# environment, the unified diff of what Argo CD would apply, as Markdown.
#
#   scripts/diff.sh [<base> [<head>]]      (default: origin/main and HEAD)
#
# On a pull request (.github/workflows/validate.yaml) the report also goes to the job summary
# ($GITHUB_STEP_SUMMARY), each environment's diff cut to fit GitHub's 1 MiB limit; the job log
# keeps it whole. Both commits are rendered by this checkout's render.sh, so a change to the
# renderer cannot hide what it does.
#
# Exit codes: 0 rendered (with or without changes), 1 a side cannot be rendered, 2 bad arguments.
set -euo pipefail

readonly SUMMARY_BUDGET=900000

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/.."

if [[ $# -gt 2 || ${1:-} == -* ]]; then
  echo "usage: scripts/diff.sh [<base> [<head>]]" >&2
  exit 2
fi
base=${1:-origin/main}
head=${2:-HEAD}
for rev in "$base" "$head"; do
  if ! git rev-parse --verify --quiet "$rev^{commit}" >/dev/null; then
    echo "diff: $rev is not a commit of this repo (fetch it first: git fetch origin)" >&2
    exit 2
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Charts pulled for one side serve the other.
export CHART_CACHE=${CHART_CACHE:-$work/charts}

for side in base head; do
  rev=$base
  [[ $side == head ]] && rev=$head
  mkdir -p "$work/src-$side"
  git archive "$rev" | tar -x -C "$work/src-$side"
  if ! "$here/render.sh" --repo "$work/src-$side" "$work/$side" >&2; then
    echo "diff: the $side ($rev) cannot be rendered" >&2
    exit 1
  fi
done

mapfile -t envs < <(cd "$work" && find base head -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -u)
diffs=()
for env in "${envs[@]}"; do
  # diff exits 1 when the sides differ.
  (cd "$work" && diff -ruN "base/$env" "head/$env" >"$work/$env.diff") || [[ $? -eq 1 ]]
  [[ -s $work/$env.diff ]] && diffs+=("$env")
done

# One environment's section; its diff cut to <limit> bytes (whole lines).
section() {
  local env=$1 limit=$2 file=$work/$1.diff files added removed size
  if [[ ! -s $file ]]; then
    printf '### %s: no change\n\n' "$env"
    return
  fi
  files=$(grep -c '^diff -ruN ' "$file" || true)
  added=$(grep -c '^+[^+]' "$file" || true)
  removed=$(grep -c '^-[^-]' "$file" || true)
  size=$(wc -c <"$file")
  printf '### %s: %s file(s) change, +%s -%s lines\n\n' "$env" "$files" "$added" "$removed"
  printf '<details><summary>the rendered diff of %s</summary>\n\n````diff\n' "$env"
  if ((size > limit)); then
    head -c "$limit" "$file" | sed '$d'
    printf '````\n\n(cut at %s of %s bytes: the job log, or scripts/diff.sh run locally, has it all)\n' "$limit" "$size"
  else
    cat "$file"
    printf '````\n'
  fi
  printf '\n</details>\n\n'
}

report() {
  local limit=$1 env
  printf '## What this change does to each environment\n\n'
  printf 'Rendered as Argo CD renders each Application, base %s, head %s. ' \
    "\`$(git rev-parse --short "$base")\`" "\`$(git rev-parse --short "$head")\`"
  printf 'Fields an Application tells Argo CD to ignore are left out, and Secret values are redacted.\n\n'
  for env in "${envs[@]}"; do
    section "$env" "$limit"
  done
}

report "$((1 << 40))"
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  report "$((SUMMARY_BUDGET / (${#diffs[@]} > 0 ? ${#diffs[@]} : 1)))" >>"$GITHUB_STEP_SUMMARY"
fi

#!/usr/bin/env bash
# Sets the image digest of one service in one environment and commits that one file. This is the
# deploy step: app CI runs it after pushing an image, and people may run it by hand. Argo CD syncs
# the change once it is on main; reverting the commit is the rollback.
#
#   scripts/set-image.sh --pull-request <environment> <service> <digest>   (app CI)
#   scripts/set-image.sh [--no-push] <environment> <service> <digest>
#   scripts/set-image.sh --pull-request dev <service> sha256:<64 hex digits>
#
# Only `.image.digest` in environments/<environment>/<service>.yaml changes: mikefarah yq v4 keeps
# comments and key order (it drops blank lines, so those files have none), and the script refuses
# to commit if anything else would change.
#
# --pull-request: the commit goes on the branch deploy/<environment>/<service>, made afresh from
#   origin/main and pushed with --force (the branch belongs to this one deploy; a newer deploy of the
#   same service replaces it, so its pull request always holds the newest image). Nothing is pushed
#   to main: the caller opens the pull request, which merges once main's checks pass. With
#   GITHUB_OUTPUT set it writes changed, branch and title there.
# Otherwise the commit is pushed to origin HEAD:${BRANCH:-main} (where main is not protected, or
#   for a branch of your own); when another run pushed first, it fetches, rebases and tries again,
#   up to 5 attempts.
#
# Environment (all optional):
#   BRANCH             branch to push to without --pull-request (default: main)
#   PUSH=false         commit only, do not fetch or push (same as --no-push)
#   SOURCE_REPOSITORY  owner/repo of the app that built the image, recorded in the commit message
#   SOURCE_SHA         full commit SHA of that app repo, recorded in the commit message
#
# Exit codes: 0 done (or already set), 1 failed (tool missing, push rejected 5 times),
#             2 refused: bad arguments, nothing was changed.
set -euo pipefail

readonly MAX_ATTEMPTS=5
readonly NAME_RE='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
readonly DIGEST_RE='^sha256:[a-f0-9]{64}$'

usage() {
  cat <<'USAGE'
usage: scripts/set-image.sh [--pull-request | --no-push] <environment> <service> <digest>
  --pull-request  commit on deploy/<environment>/<service> from origin/main and push that branch
  environment  a folder under environments/
  service      a file environments/<environment>/<service>.yaml
  digest       the image digest, sha256:<64 lowercase hex digits>
Environment: BRANCH (default main), PUSH=false, SOURCE_REPOSITORY (owner/repo), SOURCE_SHA.
USAGE
}

refuse() {
  printf 'set-image: %s\n' "$*" >&2
  exit 2
}

fail() {
  printf 'set-image: %s\n' "$*" >&2
  exit 1
}

push=${PUSH:-true}
pull_request=false
args=()
while (($# > 0)); do
  case $1 in
    --no-push) push=false ;;
    --pull-request) pull_request=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      args+=("$@")
      break
      ;;
    -*) refuse "unknown option: $1 (see --help)" ;;
    *) args+=("$1") ;;
  esac
  shift
done
if ((${#args[@]} != 3)); then
  usage >&2
  exit 2
fi
environment=${args[0]}
service=${args[1]}
digest=${args[2]}
branch=${BRANCH:-main}
source_repository=${SOURCE_REPOSITORY:-}
source_sha=${SOURCE_SHA:-}

# ---- Check every input before touching anything.
case $push in
  true | false) ;;
  *) refuse "PUSH must be true or false, not '$push'" ;;
esac
if [[ $pull_request == true && $push == false ]]; then
  refuse "--pull-request pushes its branch; it cannot be combined with --no-push or PUSH=false"
fi
if [[ ! $environment =~ $NAME_RE || ${#environment} -gt 63 ]]; then
  refuse "invalid environment name '$environment' (a DNS label: lowercase letters, digits and '-')"
fi
if [[ ! $service =~ $NAME_RE || ${#service} -gt 63 ]]; then
  refuse "invalid service name '$service' (a DNS label: lowercase letters, digits and '-')"
fi
if [[ ! $digest =~ $DIGEST_RE ]]; then
  refuse "invalid digest '$digest': expected sha256: followed by 64 lowercase hex digits (an image digest, not a tag)"
fi
if [[ -n $source_repository && ! $source_repository =~ ^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$ ]]; then
  refuse "invalid SOURCE_REPOSITORY '$source_repository' (expected owner/repo)"
fi
if [[ -n $source_sha && ! $source_sha =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]; then
  refuse "invalid SOURCE_SHA '$source_sha' (expected a full commit SHA)"
fi
if ! git check-ref-format --branch "$branch" >/dev/null 2>&1; then
  refuse "invalid BRANCH '$branch'"
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || fail "$(pwd) is not a git work tree"

if [[ ! -d environments/$environment ]]; then
  known=''
  for dir in environments/*/; do
    [[ -d $dir ]] && dir=${dir%/} && known+=" ${dir#environments/}"
  done
  refuse "unknown environment '$environment': there is no environments/$environment/ (known:${known:- none})"
fi
file=environments/$environment/$service.yaml
if [[ ! -f $file ]]; then
  refuse "no values file $file: '$service' is not deployed in $environment (add it with: gitops-platform service $service)"
fi

command -v yq >/dev/null 2>&1 || fail "yq not found: install mikefarah yq v4 (https://github.com/mikefarah/yq)"
if ! yq --version 2>&1 | grep -q 'mikefarah'; then
  fail "the yq on PATH is not mikefarah yq v4 ($(yq --version 2>&1 | head -n 1))"
fi

if [[ -n $(git status --porcelain -- "$file") ]]; then
  refuse "$file has uncommitted changes; commit or stash them first"
fi
if [[ $push == true ]]; then
  if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
    refuse "the work tree has uncommitted changes; commit or stash them first, or use --no-push"
  fi
  git remote get-url origin >/dev/null 2>&1 || refuse "no remote 'origin' to push to (or use --no-push)"
fi

# ---- Apply.
short=${digest#sha256:}
short=${short:0:12}
message="deploy($service): $environment image $short"
body="Image: $digest"
if [[ -n $source_repository && -n $source_sha ]]; then
  body+=$'\n'"Source: https://github.com/$source_repository/commit/$source_sha"
elif [[ -n $source_repository ]]; then
  body+=$'\n'"Source: https://github.com/$source_repository"
elif [[ -n $source_sha ]]; then
  body+=$'\n'"Source: $source_sha"
fi

git_commit() {
  if [[ -n $(git config user.email || true) ]]; then
    git commit --quiet "$@"
  elif [[ ${GITHUB_ACTIONS:-} == true ]]; then
    git -c user.name='github-actions[bot]' \
      -c user.email='41898282+github-actions[bot]@users.noreply.github.com' commit --quiet "$@"
  else
    fail "git has no user.email; set it (git config user.email ...) and run again"
  fi
}

already_set() {
  [[ $(yq '.image.digest // ""' "$file") == "$digest" ]]
}

# Sets the digest and commits the file (called outside `if`, so errexit applies inside).
commit_change() {
  DIGEST=$digest yq -i '.image.digest = strenv(DIGEST)' "$file"
  # yq keeps comments and order but drops blank lines; anything else changed means the file has
  # a layout yq rewrites (flow style, anchors, ...): refuse rather than commit an unreviewed change.
  local line added=0 removed=0 blank=0 other=0
  while IFS= read -r line; do
    if [[ $line =~ ^(diff|index|---|\+\+\+|@@) ]]; then
      continue
    elif [[ $line =~ ^\+[[:space:]]*digest:[[:space:]] ]]; then
      added=$((added + 1))
    elif [[ $line =~ ^-[[:space:]]*digest: ]]; then
      removed=$((removed + 1))
    elif [[ $line =~ ^-[[:space:]]*$ ]]; then
      blank=$((blank + 1))
    else
      other=$((other + 1))
    fi
  done < <(git diff --unified=0 --no-color -- "$file")
  if ((added != 1 || removed > 1 || other > 0)); then
    git diff -- "$file" >&2 || true
    git checkout --quiet -- "$file"
    fail "yq would change more than .image.digest in $file (see the diff above); nothing was committed"
  fi
  if ((blank > 0)); then
    echo "set-image: note: yq removed $blank blank line(s) from $file (keep these files without blank lines)" >&2
  fi
  git_commit -m "$message" -m "$body" -- "$file"
}

sync_with_origin() {
  git fetch --quiet origin "$branch" || fail "git fetch origin $branch failed"
}

# What the GitHub Actions step that opens the pull request reads.
output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s\n' "$@" >>"$GITHUB_OUTPUT"
  fi
}

if [[ $pull_request == true ]]; then
  pr_branch=deploy/$environment/$service
  sync_with_origin
  [[ -f $file ]] || refuse "$file is not on origin/$branch"
  git checkout --quiet -B "$pr_branch" FETCH_HEAD
  if already_set; then
    echo "set-image: origin/$branch already has $digest in $file; nothing to do"
    output changed=false
    exit 0
  fi
  commit_change
  for ((attempt = 1; ; attempt++)); do
    if git push --quiet --force origin "HEAD:refs/heads/$pr_branch"; then
      break
    fi
    if ((attempt >= MAX_ATTEMPTS)); then
      fail "push of $pr_branch failed $MAX_ATTEMPTS times; giving up"
    fi
    sleep $((attempt * 2))
  done
  echo "set-image: pushed \"$message\" to origin/$pr_branch (on top of origin/$branch); open its pull request into $branch"
  output changed=true "branch=$pr_branch" "title=$message"
  exit 0
fi

if [[ $push == true ]]; then
  sync_with_origin
  if ! git merge-base --is-ancestor HEAD FETCH_HEAD; then
    refuse "HEAD has commits that are not on origin/$branch; this script pushes HEAD, so push or drop them first (or use --no-push)"
  fi
  git merge --quiet --ff-only FETCH_HEAD
  [[ -f $file ]] || refuse "$file is not on origin/$branch"
fi

if already_set; then
  echo "set-image: $file already has $digest; nothing to do"
  exit 0
fi
commit_change
echo "set-image: $file image.digest = $digest"

if [[ $push == false ]]; then
  echo "set-image: committed \"$message\" (not pushed)"
  exit 0
fi

for ((attempt = 1; ; attempt++)); do
  if git push --quiet origin "HEAD:refs/heads/$branch"; then
    echo "set-image: pushed \"$message\" to origin/$branch (attempt $attempt)"
    exit 0
  fi
  if ((attempt >= MAX_ATTEMPTS)); then
    fail "push to origin/$branch failed $MAX_ATTEMPTS times; giving up (the commit is still local)"
  fi
  delay=$((attempt * 2 + RANDOM % 3))
  echo "set-image: push rejected (attempt $attempt of $MAX_ATTEMPTS); rebasing on origin/$branch in ${delay}s" >&2
  sleep "$delay"
  sync_with_origin
  if ! git rebase --quiet FETCH_HEAD >/dev/null 2>&1; then
    # The same file changed upstream: start again from upstream and set the digest there.
    echo "set-image: $file also changed on origin/$branch; setting the digest again on top of it" >&2
    git rebase --abort
    git reset --quiet --hard FETCH_HEAD
    if already_set; then
      echo "set-image: origin/$branch already has $digest in $file; nothing to do"
      exit 0
    fi
    commit_change
  fi
done

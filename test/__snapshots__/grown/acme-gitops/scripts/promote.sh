#!/usr/bin/env bash
# Promotes a service's image from one environment to the next: copies `.image.digest` and
# `.image.tag` from environments/<from>/<service>.yaml into environments/<to>/<service>.yaml.
# It only edits the file; the promote workflow (.github/workflows/promote.yaml) commits it on a
# branch and opens a pull request, so the promotion is reviewed like any other change.
#
#   scripts/promote.sh <service> <from-environment> <to-environment>
#   scripts/promote.sh <service> dev prod
#
# <to-environment> must be the environment right after <from-environment>; images move through
# every environment in order.
# When GITHUB_OUTPUT is set (GitHub Actions), writes service, from, to, file, digest, tag, short
# and changed there for the steps after it.
#
# Exit codes: 0 done (or nothing to change), 1 failed (tool missing),
#             2 refused: bad arguments, nothing was changed.
set -euo pipefail

# Environments in promotion order (the generator's `environments` answer); the last is production.
ENVIRONMENTS=('dev' 'prod')

readonly NAME_RE='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
readonly DIGEST_RE='^sha256:[a-f0-9]{64}$'
readonly TAG_RE='^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'

usage() {
  echo "usage: scripts/promote.sh <service> <from-environment> <to-environment>"
  echo "  environments, in order: ${ENVIRONMENTS[*]}"
}

refuse() {
  printf 'promote: %s\n' "$*" >&2
  exit 2
}

fail() {
  printf 'promote: %s\n' "$*" >&2
  exit 1
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
if (($# != 3)); then
  usage >&2
  exit 2
fi
service=$1
from=$2
to=$3

index_of() {
  local i
  for i in "${!ENVIRONMENTS[@]}"; do
    if [[ ${ENVIRONMENTS[$i]} == "$1" ]]; then
      echo "$i"
      return 0
    fi
  done
  echo -1
}

if [[ ! $service =~ $NAME_RE || ${#service} -gt 63 ]]; then
  refuse "invalid service name '$service' (a DNS label: lowercase letters, digits and '-')"
fi
from_index=$(index_of "$from")
to_index=$(index_of "$to")
((from_index >= 0)) || refuse "unknown environment '$from' (environments, in order: ${ENVIRONMENTS[*]})"
((to_index >= 0)) || refuse "unknown environment '$to' (environments, in order: ${ENVIRONMENTS[*]})"
if ((to_index != from_index + 1)); then
  if ((from_index + 1 < ${#ENVIRONMENTS[@]})); then
    refuse "$to is not the environment after $from: promote $from to ${ENVIRONMENTS[from_index + 1]} (order: ${ENVIRONMENTS[*]})"
  fi
  refuse "$from is the last environment; there is nothing to promote it to"
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source_file=environments/$from/$service.yaml
target_file=environments/$to/$service.yaml
[[ -f $source_file ]] || refuse "no values file $source_file: '$service' is not deployed in $from"
[[ -f $target_file ]] || refuse "no values file $target_file: '$service' is not deployed in $to"

command -v yq >/dev/null 2>&1 || fail "yq not found: install mikefarah yq v4 (https://github.com/mikefarah/yq)"
if ! yq --version 2>&1 | grep -q 'mikefarah'; then
  fail "the yq on PATH is not mikefarah yq v4 ($(yq --version 2>&1 | head -n 1))"
fi

digest=$(yq '.image.digest // ""' "$source_file")
tag=$(yq '.image.tag // ""' "$source_file")
if [[ -z $digest && -z $tag ]]; then
  refuse "$source_file has no image (neither image.digest nor image.tag is set); deploy $service to $from first"
fi
if [[ -n $digest && ! $digest =~ $DIGEST_RE ]]; then
  refuse "$source_file has an invalid image.digest '$digest'"
fi
if [[ -n $tag && ! $tag =~ $TAG_RE ]]; then
  refuse "$source_file has an invalid image.tag '$tag'"
fi

current_digest=$(yq '.image.digest // ""' "$target_file")
current_tag=$(yq '.image.tag // ""' "$target_file")
changed=false
if [[ $current_digest != "$digest" ]]; then
  DIGEST=$digest yq -i '.image.digest = strenv(DIGEST)' "$target_file"
  changed=true
fi
if [[ $current_tag != "$tag" ]]; then
  TAG=$tag yq -i '.image.tag = strenv(TAG)' "$target_file"
  changed=true
fi

if [[ $changed == true ]]; then
  echo "promote: $service $from -> $to: $target_file image.digest=${digest:-(none)} image.tag=${tag:-(none)}"
else
  echo "promote: $target_file already runs the image of $from (${digest:-$tag}); nothing to change"
fi

if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  # Every value here was checked against the patterns above.
  if [[ -n $digest ]]; then
    short=${digest#sha256:}
    short=${short:0:12}
  else
    short=$tag
  fi
  {
    echo "service=$service"
    echo "from=$from"
    echo "to=$to"
    echo "file=$target_file"
    echo "digest=$digest"
    echo "tag=$tag"
    echo "short=$short"
    echo "changed=$changed"
  } >>"$GITHUB_OUTPUT"
fi

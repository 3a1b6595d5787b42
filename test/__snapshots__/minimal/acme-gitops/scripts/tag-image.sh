#!/usr/bin/env bash
# Tags the image a promotion deploys, in ECR, so that the repository's lifecycle policy keeps it for
# as long as the environment may run it (infra repo, terraform/ecr: the newest images of each tag
# prefix are kept). The tag is <environment's prefix><digest hex>: one per image and environment,
# so a second promotion of the same image finds it there already. The promote workflow runs it
# before it opens the pull request, with the role gha-gitops-promote; it also fails when ECR no
# longer has the image, so a promotion never deploys a digest that cannot be pulled.
#
#   scripts/tag-image.sh <service> <environment> <digest>
#   scripts/tag-image.sh api prod sha256:<64 hex digits>
#
# Needs the AWS CLI v2, jq, and credentials allowed ecr:BatchGetImage and ecr:PutImage.
# Exit codes: 0 tagged (or tagged already), 1 failed (AWS refused, image missing, tool missing),
#             2 refused: bad arguments, nothing was changed.
set -euo pipefail

readonly REGION='us-east-1'
readonly REPOSITORY_PREFIX='acme/'
# Tag prefix of each environment an image is promoted into. The first environment has none: it
# runs the newest builds, which the lifecycle policy keeps anyway.
declare -A TAG_PREFIX=(['prod']='deployed-prod-')
# Every manifest type a build may push: an image index (buildx with provenance or an SBOM) or a
# single image, OCI or Docker.
readonly MEDIA_TYPES=(
  application/vnd.oci.image.index.v1+json
  application/vnd.oci.image.manifest.v1+json
  application/vnd.docker.distribution.manifest.list.v2+json
  application/vnd.docker.distribution.manifest.v2+json
)

readonly NAME_RE='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
readonly DIGEST_RE='^sha256:[a-f0-9]{64}$'

refuse() {
  printf 'tag-image: %s\n' "$*" >&2
  exit 2
}

fail() {
  printf 'tag-image: %s\n' "$*" >&2
  exit 1
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  echo "usage: scripts/tag-image.sh <service> <environment> <digest>"
  exit 0
fi
(($# == 3)) || refuse "usage: scripts/tag-image.sh <service> <environment> <digest>"
service=$1
environment=$2
digest=$3
if [[ ! $service =~ $NAME_RE || ${#service} -gt 63 ]]; then
  refuse "invalid service name '$service' (a DNS label: lowercase letters, digits and '-')"
fi
# Checked as a name first: bash would expand a subscript like $(...) in the lookup below.
if [[ ! $environment =~ $NAME_RE ]] || [[ ! -v TAG_PREFIX[$environment] ]]; then
  refuse "'$environment' is not an environment images are promoted into (${!TAG_PREFIX[*]})"
fi
[[ $digest =~ $DIGEST_RE ]] || refuse "invalid digest '$digest' (sha256: and 64 lowercase hex digits)"
for tool in aws jq; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

repository=$REPOSITORY_PREFIX$service
tag=${TAG_PREFIX[$environment]}${digest#sha256:}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

aws ecr batch-get-image --region "$REGION" --repository-name "$repository" --image-ids "imageDigest=$digest" \
  --accepted-media-types "${MEDIA_TYPES[@]}" --output json >"$work/image.json" ||
  fail "cannot read $repository@$digest from ECR"
if ! jq -e '(.failures | length) == 0 and (.images | length) == 1' "$work/image.json" >/dev/null; then
  fail "ECR has no image $repository@$digest: $(jq -c '.failures' "$work/image.json")"
fi
# The manifest byte for byte (jq -j adds no newline): its digest must stay the one promoted.
jq -j '.images[0].imageManifest' "$work/image.json" >"$work/manifest.json"
media_type=$(jq -r '.images[0].imageManifestMediaType' "$work/image.json")

if aws ecr put-image --region "$REGION" --repository-name "$repository" --image-tag "$tag" \
  --image-digest "$digest" --image-manifest "file://$work/manifest.json" \
  --image-manifest-media-type "$media_type" --output json >/dev/null 2>"$work/put.err"; then
  echo "tag-image: tagged $repository@$digest as $tag"
elif grep -q ImageAlreadyExistsException "$work/put.err"; then
  echo "tag-image: $repository@$digest is tagged $tag already"
else
  fail "ECR refused the tag $tag on $repository@$digest: $(tr '\n' ' ' <"$work/put.err")"
fi

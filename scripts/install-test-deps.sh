#!/usr/bin/env bash
# Installs what the end-to-end browser test (cmd/shanzhi/e2e_test.go) and
# the PostgreSQL-backed store tests need on a Debian 12 machine, as root:
#   - Debian's chromium, driven headless by chromedp;
#   - Noto CJK and core fonts, so screenshots show Chinese and Mongolian
#     text instead of empty boxes;
#   - HarfBuzz's hb-shape (libharfbuzz-bin), the independent shaper the PDF
#     test checks internal/pdf's glyphs against;
#   - poppler-utils' pdftotext, which reads the produced PDFs' text back;
#   - staticcheck, pinned;
#   - a running PostgreSQL on 127.0.0.1:5432.
# Safe to run again: it installs only what is missing and starts PostgreSQL
# only when it is down. Non-interactive, for CI (no stdin).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

packages=(chromium fonts-noto-cjk fonts-noto-core libharfbuzz-bin poppler-utils)
missing=()
for p in "${packages[@]}"; do
	if dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
		echo "install-test-deps: $p already installed"
	else
		missing+=("$p")
	fi
done

if ((${#missing[@]} > 0)); then
	echo "install-test-deps: installing ${missing[*]}"
	apt-get update -q </dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

# staticcheck, pinned, through the Go module proxy; test.sh runs it.
staticcheck_version=v0.8.2
if "$(go env GOPATH)/bin/staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
	echo "install-test-deps: staticcheck $staticcheck_version already installed"
else
	echo "install-test-deps: installing staticcheck $staticcheck_version"
	go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi

if pg_isready -q -h 127.0.0.1 -p 5432; then
	echo "install-test-deps: PostgreSQL on 127.0.0.1:5432 is up"
else
	if ! command -v pg_ctlcluster >/dev/null; then
		echo "install-test-deps: PostgreSQL is not installed (no pg_ctlcluster)" >&2
		exit 1
	fi
	# The single cluster this machine type ships, e.g. /etc/postgresql/15.
	versions=(/etc/postgresql/*)
	version="$(basename "${versions[0]}")"
	echo "install-test-deps: starting PostgreSQL $version/main"
	pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	for _ in $(seq 1 60); do
		if pg_isready -q -h 127.0.0.1 -p 5432; then
			break
		fi
		sleep 0.5
	done
	if ! pg_isready -h 127.0.0.1 -p 5432; then
		echo "install-test-deps: PostgreSQL did not come up on 127.0.0.1:5432" >&2
		exit 1
	fi
	echo "install-test-deps: PostgreSQL on 127.0.0.1:5432 is up"
fi

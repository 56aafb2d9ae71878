#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# install-ort.sh: ONNX Runtime for the oracle test (make check-ort) and the
# peer benchmark (bench/ort_peer.sh), from the npm package onnxruntime-node,
# which carries ONNX Runtime's real native CPU library.
#
#   tests/ort/install-ort.sh          install unless cached; print its directory
#   tests/ort/install-ort.sh --key    print the cache key only
#
# The version is pinned once, in package.json next to this script, and every
# dependency by package-lock.json (integrity hashes); `npm ci` installs exactly
# that.  The install lives OUTSIDE the clone, in
#   ${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/ort-<key>/node_modules/...  (this machine's library only, ~50 MB)
# where <key> hashes package.json, package-lock.json, this script and node's
# major version (the native binding is built against N-API 6, but a new node
# is a new environment).  The install runs in a fresh temporary directory that
# is renamed into place once the binding has loaded, under flock, so a
# concurrent or interrupted run never leaves a half-installed cache.
#
# --ignore-scripts: the package's postinstall (script/install.js) only fetches
# the CUDA and TensorRT execution providers for linux/x64 from nuget.org, which
# the CPU execution provider does not need (its library, bin/napi-v6/linux/x64/
# libonnxruntime.so.1, is inside the npm package itself).
#
# Progress goes to stderr; the directory is the only line on stdout.
set -euo pipefail

HERE=$(dirname "$(readlink -f "$0")")
CACHE=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}

log() { echo "install-ort: $*" >&2; }
die() {
	echo "install-ort: error: $*" >&2
	exit 1
}

cache_key() {
	command -v node >/dev/null || die "node is not installed (make deps installs nodejs and npm)"
	{
		sha256sum "$HERE/package.json" "$HERE/package-lock.json" "$HERE/install-ort.sh" |
			cut -d' ' -f1
		node -p 'process.versions.node.split(".")[0]'
	} | sha256sum | cut -c1-16
}

# Loads the binding and runs nothing: fails unless the CPU library is usable.
check_load() {
	(cd "$1" && node -e '
		const ort = require("onnxruntime-node");
		const backends = ort.listSupportedBackends ? ort.listSupportedBackends() : [];
		if (backends.length && !backends.some((b) => b.name === "cpu"))
			throw new Error("no cpu backend in " + JSON.stringify(backends));
		console.error("install-ort: onnxruntime-node " + ort.env.versions.common + " loads, CPU backend present");
	') >&2
}

install() { # FINALDIR
	local dir=$1 tmp start
	start=$(date +%s)
	command -v npm >/dev/null || die "npm is not installed (make deps installs nodejs and npm)"
	# What an interrupted install left (we hold the lock, so nobody is using it).
	rm -rf "$dir".tmp-*
	tmp=$(mktemp -d "$dir.tmp-XXXXXX")
	cp "$HERE/package.json" "$HERE/package-lock.json" "$tmp/"
	log "npm ci of $(node -p "require('$HERE/package.json').dependencies['onnxruntime-node']" \
		) into $tmp"
	(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
		--cache "$tmp/.npm-cache") >&2 || {
		rm -rf "$tmp"
		die "npm ci failed"
	}
	rm -rf "$tmp/.npm-cache"
	# The package carries every platform's library (about 250 MB of 300);
	# keep this machine's only.
	local bin=$tmp/node_modules/onnxruntime-node/bin/napi-v6 here
	here=$(node -p 'process.platform + "/" + process.arch')
	[[ -d $bin/$here ]] || die "onnxruntime-node has no library for $here"
	find "$bin" -mindepth 2 -maxdepth 2 -type d | while read -r d; do
		[[ $d == "$bin/$here" ]] || rm -rf "$d"
	done
	check_load "$tmp" || {
		rm -rf "$tmp"
		die "the installed binding does not load"
	}
	touch "$tmp/.ready"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	log "installed in $(($(date +%s) - start)) s: $dir"
}

main() {
	local key dir
	[[ $# -le 1 && ${1:---key} == --key ]] || die "usage: $0 [--key]"
	key=$(cache_key)
	if [[ ${1:-} == --key ]]; then
		echo "$key"
		return
	fi
	dir=$CACHE/ort-$key
	if [[ ! -e $dir/.ready ]]; then
		mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"
		exec 9>"$dir.lock"
		# Another install of the same key may be under way: wait for it.
		flock -n 9 || {
			log "waiting for another install of $dir"
			flock 9
		}
		[[ -e $dir/.ready ]] || install "$dir"
		exec 9>&-
	fi
	echo "$dir"
}

main "$@"

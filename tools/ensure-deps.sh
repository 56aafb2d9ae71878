#!/usr/bin/env bash
# Installs the Debian packages given as arguments that are not installed yet,
# so the README's commands work on a fresh machine.  Needs root only when
# something is missing.
set -euo pipefail
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "ensure-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "ensure-deps: not root; run: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

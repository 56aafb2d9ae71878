#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Prints the Debian 6.12 kernel version the guest runs and the driver is built
# for (e.g. 6.12.117+deb12-amd64): $SA_GUEST_KVER if set, else the newest
# installed linux-headers-6.12.*+deb12-amd64, else the newest in apt.
#   tools/kernel-version.sh             the version
#   tools/kernel-version.sh --package   the headers package to install for it
set -euo pipefail

pick() {
	if [[ -n ${SA_GUEST_KVER:-} ]]; then
		echo "$SA_GUEST_KVER"
		return
	fi
	local k
	k=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.12.*+deb12-amd64' -printf '%f\n' \
		2>/dev/null | sed 's/^linux-headers-//' | sort -V | tail -n 1)
	if [[ -z $k ]]; then
		k=$(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
			sed -nE 's/^linux-headers-(6\.12\.[0-9]+\+deb12-amd64)$/\1/p' | sort -V | tail -n 1)
	fi
	if [[ -z $k ]]; then
		echo "kernel-version.sh: no linux-headers-6.12.*+deb12-amd64 installed or in apt" \
			"(run apt-get update)" >&2
		exit 1
	fi
	echo "$k"
}

kver=$(pick)
case "${1:-}" in
--package) echo "linux-headers-$kver" ;;
"") echo "$kver" ;;
*) echo "usage: $0 [--package]" >&2; exit 2 ;;
esac

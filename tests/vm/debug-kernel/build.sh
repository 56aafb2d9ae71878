#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# build.sh: build the debug guest kernel for `make vmcheck-debug`.
#
#   tests/vm/debug-kernel/build.sh          build it unless cached; print its directory
#   tests/vm/debug-kernel/build.sh --key    print the cache key only
#
# Builds Debian's linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz, the
# kernel the normal guest runs, with Debian's patches) with KASAN, lockdep,
# kmemleak, UBSAN, DEBUG_LIST and fault injection, configured by debug.config
# next to this script on top of allnoconfig, with the guest's drivers built in.
#
# The kernel lives OUTSIDE the clone, in
#   ${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/debug-kernel-<key>/
#     src/                    the built kernel tree: build modules with
#                             make -C src M=... (also root/lib/modules/<kver>/build)
#     root/boot/vmlinuz-<kver>
#     root/lib/modules/<kver>/ modules.builtin etc. (everything is built in)
#     kernelrelease           <kver>
# where <key> hashes the source package's version, debug.config, this script
# and the compiler.  The build runs in debug-kernel-<key>.tmp/ and is renamed
# into place after its .ready stamp is written, so a half-built kernel is
# never used; an interrupted build resumes there (kbuild is incremental).
# Concurrent builds of one key are serialized with flock.
#
# Progress goes to stderr (the full log: <dir>.tmp/build.log while building);
# the directory is the only line on stdout.
set -euo pipefail

SCRIPT=$(readlink -f "$0")
HERE=$(dirname "$SCRIPT")
FRAGMENT=$HERE/debug.config
CACHE=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}
JOBS=${KERNEL_JOBS:-$(nproc)}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
# The kernel's make, never the caller's make flags (-j, -s, W=1 from a parent make).
unset MAKEFLAGS MAKELEVEL MFLAGS
KMAKE=(make ARCH=x86_64 --no-print-directory)

log() {
	echo "debug-kernel: $*" >&2
}

die() {
	echo "debug-kernel: error: $*" >&2
	exit 1
}

tarball() {
	find /usr/src -maxdepth 1 -name 'linux-source-6.12.tar.*' | sort -V | tail -n 1
}

cache_key() {
	local version
	version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (make deps)"
	{
		echo "linux-source-6.12 $version"
		sha256sum "$FRAGMENT" "$SCRIPT" | cut -d' ' -f1
		gcc --version | head -n 1
	} | sha256sum | cut -c1-16
}

# Every CONFIG_ line of the fragment (set or "is not set") must be in .config:
# Kconfig silently drops a value whose dependencies are missing.
check_config() {
	local config=$1 line name bad=0
	while IFS= read -r line; do
		grep -qxF "$line" "$config" && continue
		name=$(sed -E 's/^# (CONFIG_[A-Z0-9_]+) is not set$/\1/; s/=.*//' <<<"$line")
		log "debug.config asks for '$line'; .config has" \
			"'$(grep -E "^(# )?${name}[= ]" "$config" || echo nothing)'"
		bad=1
	done < <(grep -E '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set$)' "$FRAGMENT")
	((bad == 0)) || die "the configuration does not satisfy debug.config (see above)"
}

# Runs a build step with its output in build.log; shows the log's end on failure.
run_logged() { # LOG WHAT COMMAND...
	local log=$1 what=$2
	shift 2
	echo "== $what" >>"$log"
	"$@" >>"$log" 2>&1 || {
		tail -n 40 "$log" >&2
		die "$what failed (full log: $log)"
	}
}

build() { # TMPDIR FINALDIR
	local tmp=$1 dir=$2 src=$1/src kver tb start
	start=$(date +%s)
	if [[ ! -e $tmp/.source-ready ]]; then
		tb=$(tarball)
		[[ -n $tb ]] || die "no /usr/src/linux-source-6.12.tar.* (make deps)"
		log "unpacking $tb into $tmp"
		rm -rf "$tmp"
		mkdir -p "$tmp/unpack"
		tar -xf "$tb" -C "$tmp/unpack"
		mv "$tmp/unpack"/linux-source-6.12 "$src"
		rmdir "$tmp/unpack"
		touch "$tmp/.source-ready"
	fi
	if [[ ! -e $tmp/.configured ]]; then
		run_logged "$tmp/build.log" "allnoconfig + debug.config" \
			"${KMAKE[@]}" -C "$src" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig
		check_config "$src/.config"
		touch "$tmp/.configured"
	fi
	log "building the kernel with $JOBS jobs (log: $tmp/build.log)"
	run_logged "$tmp/build.log" "make" "${KMAKE[@]}" -C "$src" -j"$JOBS" all
	kver=$("${KMAKE[@]}" -s -C "$src" kernelrelease)
	rm -rf "$tmp/root"
	run_logged "$tmp/build.log" "modules_install" "${KMAKE[@]}" -C "$src" \
		INSTALL_MOD_PATH="$tmp/root" modules_install
	# The usual /lib/modules/<kver>/build link, pointing where the tree will be.
	ln -sfn "$dir/src" "$tmp/root/lib/modules/$kver/build"
	mkdir -p "$tmp/root/boot"
	cp "$src/arch/x86/boot/bzImage" "$tmp/root/boot/vmlinuz-$kver"
	echo "$kver" >"$tmp/kernelrelease"
	touch "$tmp/.ready"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	log "built $kver in $(($(date +%s) - start)) s: $dir"
}

main() {
	local key dir
	[[ $# -le 1 && ${1:---key} == --key ]] || die "usage: $0 [--key]"
	key=$(cache_key)
	if [[ ${1:-} == --key ]]; then
		echo "$key"
		return
	fi
	dir=$CACHE/debug-kernel-$key
	if [[ ! -e $dir/.ready ]]; then
		mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"
		exec 9>"$dir.lock"
		# Another build of the same key may be under way: wait for it.
		flock -n 9 || {
			log "waiting for another build of $dir"
			flock 9
		}
		[[ -e $dir/.ready ]] || build "$dir.tmp" "$dir"
		exec 9>&-
	fi
	echo "$dir"
}

main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# build-qemu.sh: build Debian's QEMU with the ShiftAccel card built in.
#
#   emulator/qemu/build-qemu.sh            build (or update) and print the binary's path
#   emulator/qemu/build-qemu.sh --key      print the cache key only
#
# Fetches Debian's own QEMU source package with `apt-get source qemu` (adding
# a deb-src entry when there is none; Debian's patches are applied by
# dpkg-source), adds hw/misc/shiftaccel (Kconfig CONFIG_SHIFTACCEL, on in
# x86_64-softmmu's default device set) whose `project` symlink points at this
# checkout, configures only x86_64-softmmu with the features the VM tests use,
# and builds qemu-system-x86_64 with ninja.
#
# The build lives OUTSIDE the clone, in
#   ${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/qemu-<key>/{src,build}
# where <key> hashes the source package version, this script (which holds the
# meson/Kconfig snippets and the configure flags) and the host toolchain.  The
# card's C files are NOT part of the key: they are reached through the symlink,
# so every run re-points it at the current checkout, regenerates the file list
# from `make print-emu-srcs` and lets ninja rebuild incrementally.
#
# A run interrupted at any point is safe: the source tree is prepared in a
# temporary directory and renamed into place, configure's success is recorded
# by a stamp file written last, and ninja resumes a half-finished build.
#
# Progress goes to stderr; the binary's path is the only line on stdout.
set -euo pipefail

SCRIPT=$(readlink -f "$0")
PROJECT=$(cd "$(dirname "$SCRIPT")/../.." && pwd)
CACHE=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}
JOBS=${QEMU_JOBS:-2}
# Debian's python3 and meson, not a python from the user's environment.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

CONFIGURE_FLAGS=(
	--target-list=x86_64-softmmu
	--without-default-features # every optional feature off unless listed here
	--enable-tcg               # KVM does not work on the CI machines
	--enable-virtfs            # the guest's root is the host's, over virtio-9p
	--enable-attr              # (virtfs needs xattr and libcap-ng)
	--enable-cap-ng
	--enable-fdt=system # x86_64-softmmu's default devices need libfdt
	--disable-tools
	--disable-docs
	--disable-debug-info # halves the link time; backtraces still have symbols
	--disable-werror     # warnings from a newer compiler must not break the build
)

# Kconfig entry appended to hw/misc/Kconfig.  PCI_DEVICES is implied by the
# PC machines, so the card is in x86_64-softmmu's default device set.
KCONFIG_SNIPPET='
config SHIFTACCEL
    bool
    default y if PCI_DEVICES
    depends on PCI && MSI_NONBROKEN
'

# A source download interrupted by an error or a signal leaves nothing behind.
TMP_SRC=
trap '[[ -n $TMP_SRC ]] && rm -rf "$TMP_SRC" "$TMP_SRC.log"' EXIT

log() {
	echo "build-qemu: $*" >&2
}

die() {
	echo "build-qemu: error: $*" >&2
	exit 1
}

ensure_deb_src() {
	if grep -Eqs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources ||
		grep -Eqs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list; then
		return
	fi
	local out=/etc/apt/sources.list.d/shiftaccel-deb-src.sources
	log "no deb-src entry in apt's sources: adding $out"
	[[ -w /etc/apt/sources.list.d ]] || die "cannot write $out (run as root)"
	if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
		# Same mirrors, suites and keys as the binary entries (deb822 format).
		{
			echo "# Added by ShiftAccel emulator/qemu/build-qemu.sh for 'apt-get source qemu'."
			sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources
		} >"$out"
	elif grep -Eqs '^deb ' /etc/apt/sources.list; then
		out=/etc/apt/sources.list.d/shiftaccel-deb-src.list
		sed -nE 's/^deb (.*)/deb-src \1/p' /etc/apt/sources.list >"$out"
	else
		die "cannot find Debian's apt sources to mirror as deb-src"
	fi
	apt-get update -q=2 || die "apt-get update failed after adding $out"
}

# The version `apt-get source qemu` fetches, from the .dsc name it would download.
source_version() {
	apt-get source --print-uris -q=2 qemu 2>/dev/null |
		sed -nE "s/^'[^']*' qemu_(.*)\.dsc .*/\1/p" | head -n 1
}

cache_key() {
	{
		echo "source $1"
		sha256sum "$SCRIPT" | cut -d' ' -f1
		printf '%s\n' "${CONFIGURE_FLAGS[@]}"
		gcc --version | head -n 1
		meson --version
	} | sha256sum | cut -c1-16
}

# Fresh Debian source tree with the card's hooks, prepared in a temporary
# directory and renamed to $1/src, so a half-unpacked tree is never used.
prepare_source() {
	local dir=$1 tmp src
	tmp=$(mktemp -d "$CACHE/.qemu-src.XXXXXX")
	TMP_SRC=$tmp
	# apt downloads as the unprivileged _apt user when it can write there.
	chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"
	log "fetching Debian's QEMU source (apt-get source qemu) into $tmp"
	(cd "$tmp" && apt-get source -q=2 qemu >"$tmp.log" 2>&1) || {
		tail -n 20 "$tmp.log" >&2
		rm -rf "$tmp" "$tmp.log"
		die "apt-get source qemu failed"
	}
	rm -f "$tmp.log"
	src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
	[[ -n $src && -x $src/configure ]] || {
		rm -rf "$tmp"
		die "apt-get source qemu gave no source tree"
	}
	printf '%s' "$KCONFIG_SNIPPET" >>"$src/hw/misc/Kconfig"
	printf "\nsubdir('shiftaccel')\n" >>"$src/hw/misc/meson.build"
	mkdir "$src/hw/misc/shiftaccel"
	rm -rf "$dir"
	mkdir -p "$dir"
	mv "$src" "$dir/src"
	rm -rf "$tmp"
	TMP_SRC=
	touch "$dir/.source-ready"
}

# Re-point hw/misc/shiftaccel at this checkout and list its C files for meson.
# The file is rewritten only when its content changes, so an unchanged list
# does not make ninja re-run meson.
link_project() {
	local dir=$1 hwdir="$1/src/hw/misc/shiftaccel" srcs f new
	ln -sfn "$PROJECT" "$hwdir/project"
	srcs=$(make -s --no-print-directory -C "$PROJECT" print-emu-srcs) ||
		die "'make print-emu-srcs' failed"
	[[ -n $srcs ]] || die "'make print-emu-srcs' printed no files"
	new=$(mktemp)
	{
		echo "# Generated by emulator/qemu/build-qemu.sh from 'make print-emu-srcs'."
		echo "# 'project' is a symlink to the ShiftAccel checkout."
		echo "softmmu_ss.add(when: 'CONFIG_SHIFTACCEL', if_true: ["
		echo "  files("
		echo "    'project/emulator/qemu/shiftaccel_pci.c',"
		for f in $srcs; do
			[[ -f $PROJECT/$f ]] || die "print-emu-srcs lists $f, which does not exist"
			echo "    'project/$f',"
		done
		echo "  ),"
		echo "  declare_dependency(include_directories: include_directories("
		echo "    'project/libshiftaccel/include')),"
		echo "])"
	} >"$new"
	if ! cmp -s "$new" "$hwdir/meson.build"; then
		mv "$new" "$hwdir/meson.build"
	else
		rm -f "$new"
	fi
}

configure_build() {
	local dir=$1
	rm -rf "$dir/build" "$dir/.configured"
	mkdir "$dir/build"
	log "configuring: ${CONFIGURE_FLAGS[*]}"
	(cd "$dir/build" && ../src/configure "${CONFIGURE_FLAGS[@]}" >configure.log 2>&1) || {
		tail -n 30 "$dir/build/configure.log" >&2
		die "configure failed (full log: $dir/build/configure.log)"
	}
	touch "$dir/.configured"
}

main() {
	local version key dir bin start
	[[ $# -le 1 && ${1:---key} == --key ]] || die "usage: $0 [--key]"
	mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"
	ensure_deb_src
	version=$(source_version)
	[[ -n $version ]] || die "apt-get source cannot find the qemu source package"
	key=$(cache_key "$version")
	if [[ ${1:-} == --key ]]; then
		echo "$key"
		return
	fi
	dir="$CACHE/qemu-$key"
	exec 9>"$dir.lock"
	flock 9
	# Downloads interrupted by a kill (no trap ran); a live one is minutes old at most.
	find "$CACHE" -maxdepth 1 -name '.qemu-src.*' -mmin +120 -exec rm -rf {} + 2>/dev/null || true
	start=$(date +%s)
	[[ -e $dir/.source-ready ]] || prepare_source "$dir"
	link_project "$dir"
	[[ -e $dir/.configured ]] || configure_build "$dir"
	log "building qemu-system-x86_64 (QEMU $version) in $dir/build"
	ninja -C "$dir/build" -j "$JOBS" qemu-system-x86_64 >"$dir/build/ninja.log.txt" 2>&1 || {
		grep -E -B2 -A12 'error|FAILED' "$dir/build/ninja.log.txt" | tail -n 60 >&2
		die "ninja failed (full log: $dir/build/ninja.log.txt)"
	}
	grep -E 'warning:' "$dir/build/ninja.log.txt" | grep -F 'shiftaccel/project/' | sort -u >&2 || true
	bin="$dir/build/qemu-system-x86_64"
	"$bin" -device help 2>/dev/null | grep -q '^name "shiftaccel"' ||
		die "$bin was built without the shiftaccel device"
	log "done in $(($(date +%s) - start)) s"
	echo "$bin"
}

main "$@"

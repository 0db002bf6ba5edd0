#!/usr/bin/env bash
# Builds the QEMU guest image: BUILD_DIR/guest/{vmlinuz,initramfs.cpio.gz,
# image.sha256,kernel-version}. The kernel and its virtio modules come from
# Debian's cloud kernel package (downloaded once into BUILD_DIR/guest-cache/,
# version pinned in BUILD_DIR/guest/kernel-version); the initramfs holds
# static busybox, the static BUILD_DIR/wl as /wl, the modules in load order
# and guest/init as /init. Idempotent: outputs are rebuilt only when an input
# changed. Usage: scripts/guest-image.sh BUILD_DIR
set -euo pipefail

say() { echo "guest-image: $*"; }
die() { echo "guest-image: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/initramfs.sh
. "$here/scripts/lib/initramfs.sh"
build=$(mkdir -p "$1" && cd "$1" && pwd)
out=$build/guest
cache=$build/guest-cache
wl=$build/wl
init=$here/guest/init
mkdir -p "$out" "$cache"

[[ -x $wl ]] || die "$wl missing: run make first"
file_out=$(LC_ALL=C file -b "$wl" 2>/dev/null || true)
if [[ -n $file_out && $file_out != *static* ]]; then
	die "$wl is not statically linked ($file_out)"
fi

"$here/scripts/deps.sh" --guest

busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox missing (busybox-static)"

# --- kernel version: resolved once, then pinned -----------------------------
verfile=$out/kernel-version
if [[ -s $verfile ]]; then
	kver=$(<"$verfile")
	say "kernel $kver (pinned in $verfile)"
else
	say "resolving the candidate of linux-image-cloud-amd64"
	dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)\( .*\)\?$/\1/p' | head -n1)
	if [[ -z $dep ]]; then
		say "not in the package lists: apt-get update"
		apt-get update -qq
		dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)\( .*\)\?$/\1/p' | head -n1)
	fi
	[[ -n $dep ]] || die "cannot resolve linux-image-cloud-amd64's kernel package"
	kver=${dep#linux-image-}
	echo "$kver" >"$verfile"
	say "kernel $kver (pinned in $verfile)"
fi
pkg=linux-image-$kver
# as root apt drops to _apt, which cannot write here: stay root, no warning
aptopt=()
[[ $(id -u) -ne 0 ]] || aptopt=(-o APT::Sandbox::User=root)

# --- download and unpack -----------------------------------------------------
debs=("$cache/${pkg}"_*.deb)
deb=${debs[0]}
if [[ ! -f $deb ]]; then
	say "downloading $pkg into $cache"
	(cd "$cache" && apt-get download -q "${aptopt[@]}" "$pkg" >/dev/null) ||
		{ apt-get update -qq && (cd "$cache" && apt-get download -q "${aptopt[@]}" "$pkg" >/dev/null); } ||
		die "apt-get download $pkg failed"
	debs=("$cache/${pkg}"_*.deb)
	deb=${debs[0]}
	[[ -f $deb ]] || die "apt-get download left no ${pkg}_*.deb in $cache"
else
	say "using cached $(basename "$deb")"
fi
root=$cache/root-$kver
if [[ ! -f $root/.unpacked || $root/.unpacked -ot $deb ]]; then
	say "unpacking $(basename "$deb")"
	rm -rf "$root"
	mkdir -p "$root"
	dpkg-deb -x "$deb" "$root"
	touch "$root/.unpacked"
fi
vmlinuz_src=$root/boot/vmlinuz-$kver
moddir=$root/lib/modules/$kver
[[ -f $vmlinuz_src ]] || die "no $vmlinuz_src in the package"
[[ -d $moddir ]] || die "no $moddir in the package"

# --- module load order from depmod -------------------------------------------
if [[ ! -f $moddir/modules.dep || $moddir/modules.dep -ot $root/.unpacked ]]; then
	say "depmod -b $root $kver"
	depmod -b "$root" "$kver"
fi
# virtio for QEMU guests; Xen's netfront and blkfront for Xen domUs (xenbus
# and the PV console are built in). guest/init skips xen_* off Xen.
wanted=(virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev
	virtio_console virtio_blk virtio_net xen_blkfront xen_netfront)
module_order "$moddir" 0 "${wanted[@]}"
order=("${module_paths[@]}")
say "module order: $(module_names)"

# --- initramfs ------------------------------------------------------------------
stage=$cache/initramfs
inputs_sum=$( {
	echo "$kver"
	sha256sum "$deb" "$wl" "$init" "$busybox" "$0" "$here/scripts/lib/initramfs.sh" | cut -d' ' -f1
	printf '%s\n' "${order[@]}"
} | sha256sum | cut -d' ' -f1)
stamp=$out/.inputs
if [[ -f $out/initramfs.cpio.gz && -f $out/vmlinuz && -f $out/image.sha256 && -f $stamp &&
	$(<"$stamp") == "$inputs_sum" ]]; then
	say "image up to date"
else
	say "building $out/initramfs.cpio.gz"
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,lib/modules}
	cp "$busybox" "$stage/bin/busybox"
	for a in $("$busybox" --list); do
		[[ $a == busybox ]] && continue
		ln -sf busybox "$stage/bin/$a"
	done
	cp "$wl" "$stage/wl"
	cp "$init" "$stage/init"
	chmod 755 "$stage/init" "$stage/wl"
	module_install "$moddir" "$stage/lib/modules" "$stage/etc/modules.order"
	initramfs_pack "$stage" "$out/initramfs.cpio.gz" 9
	cp "$vmlinuz_src" "$out/vmlinuz"
	cat "$out/vmlinuz" "$out/initramfs.cpio.gz" | sha256sum | cut -d' ' -f1 >"$out/image.sha256"
	echo "$inputs_sum" >"$stamp"
fi
# the wl inside, for bench to tell a stale image (its inputs include wl,
# so an up-to-date image holds this wl)
sha256sum "$wl" | cut -d' ' -f1 >"$out/wl.sha256"
sum=$(<"$out/image.sha256")
say "kernel version: $kver"
say "image checksum (sha256 of vmlinuz+initramfs): $sum"
say "files: $out/vmlinuz $out/initramfs.cpio.gz $out/image.sha256"

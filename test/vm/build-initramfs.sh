#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the test VM's initramfs: Debian's busybox-static plus the kernel's
# virtio/9p/overlay modules (in dependency order, from modprobe --show-depends)
# and test/vm/initramfs-init as /init. Usage: build-initramfs.sh KVER OUT
set -eu
KVER=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || { echo "build-initramfs: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }
file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked' && {
	echo "build-initramfs: $BUSYBOX is not static (install busybox-static)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/lower" "$tmp/upper" "$tmp/newroot" "$tmp/work"
cp "$BUSYBOX" "$tmp/bin/busybox"
for applet in sh mount umount insmod mkdir switch_root poweroff echo cat sleep; do
	ln -s busybox "$tmp/bin/$applet"
done
# Order matters: each module after the ones it needs.
: > "$tmp/modules/order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	case "$ko" in
	*.ko) cp "$ko" "$tmp/modules/" ;;
	*.ko.xz) xz -dc "$ko" > "$tmp/modules/$(basename "$ko" .xz)"; ko=${ko%.xz} ;;
	*.ko.zst) zstd -qdc "$ko" > "$tmp/modules/$(basename "$ko" .zst)"; ko=${ko%.zst} ;;
	esac
	basename "$ko" >> "$tmp/modules/order"
done
[ -s "$tmp/modules/order" ] || { echo "build-initramfs: no modules found for $KVER" >&2; exit 1; }
cp "$HERE/initramfs-init" "$tmp/init"
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"

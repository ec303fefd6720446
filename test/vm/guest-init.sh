#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the test VM after switch_root (the host root read-only under a
# tmpfs overlay, the results share at /vm). Prepares a normal environment,
# runs the command the host asked for, records its exit status, powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=755 run /run
# /tmp stays the overlay's (writable, backed by tmpfs): a tmpfs mounted
# over it would hide a build tree that lives under the host's /tmp.
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t tmpfs shm /dev/shm
hostname l2tp-test-vm
ip link set lo up
# The real data path: L2TP, PPP over L2TP, ESP, and what the tests use.
for m in l2tp_ppp l2tp_netlink l2tp_ip l2tp_eth esp4 esp6 xfrm_user xfrm4_tunnel \
         ppp_generic ppp_async ppp_synctty veth tun nf_tables nft_chain_nat nft_masq \
         nf_nat nf_conntrack af_key; do
	modprobe "$m" 2>/dev/null || echo "vm: modprobe $m failed"
done
[ -c /dev/ppp ] || mknod /dev/ppp c 108 0
. /vm/.env
cd "$VM_CWD" || { echo 125 > /vm/.status; poweroff -f; }
echo "vm: kernel $(uname -r), running: $VM_DESC"
sh /vm/.cmd
echo $? > /vm/.status
sync
poweroff -f

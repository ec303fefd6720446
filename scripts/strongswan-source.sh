#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch and configure the upstream source of the strongSwan that Debian ships
# (5.9.8), so the charon plugin can be compiled against it: Debian has no
# strongSwan development headers. Idempotent and cached; prints the path of the
# configured tree on stdout, everything else on stderr.
#
# The host's apt configuration is not changed: a private sources list with a
# deb-src entry (a copy of Debian's own entry) and private package lists live
# in the cache. See docs/development.md.
set -eu
VERSION=5.9.8
CACHE=${L2TPVPN_CACHE:-/var/cache/l2tpvpn}
TREE=$CACHE/strongswan-$VERSION

fail() { echo "strongswan-source: $*" >&2; exit 1; }

if [ -f "$TREE/config.h" ] && [ -f "$TREE/.configured" ]; then
	echo "$TREE"; exit 0
fi
mkdir -p "$CACHE" || fail "cannot create cache folder $CACHE"
cd "$CACHE"

tarball=strongswan_$VERSION.orig.tar.bz2
if [ ! -s "$tarball" ]; then
	src=/etc/apt/sources.list.d/debian.sources
	[ -r "$src" ] || fail "no $src to derive a deb-src entry from"
	mkdir -p apt/lists/partial apt/sources.list.d
	sed 's/^Types:.*/Types: deb-src/' "$src" > apt/sources.list.d/debian-src.sources
	: > apt/sources.list
	aptopts="-o Dir::Etc::sourcelist=$CACHE/apt/sources.list \
	         -o Dir::Etc::sourceparts=$CACHE/apt/sources.list.d \
	         -o Dir::State::Lists=$CACHE/apt/lists -o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	apt-get -q $aptopts update >&2 || fail "apt-get update of the deb-src list failed (no network to Debian's mirror?)"
	# The Debian-revision tarball may 404; the orig tarball is all we need.
	# shellcheck disable=SC2086
	apt-get -q $aptopts source --download-only strongswan=$(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || echo "") >&2 \
		|| apt-get -q $aptopts source --download-only strongswan >&2 || true
	[ -s "$tarball" ] || fail "could not download $tarball with apt-get source"
fi
rm -rf "$TREE"
tar xjf "$tarball" || fail "cannot unpack $tarball"
[ -d "$TREE" ] || fail "$tarball did not unpack to $TREE"
cd "$TREE"
# --enable-mediation: Debian builds with it, and it adds methods to ike_sa_t;
# without ME defined, calls through the interface go to the wrong slots.
./configure --enable-mediation >configure.log 2>&1 \
	|| { tail -20 configure.log >&2; fail "configure failed, see $TREE/configure.log"; }
[ -f config.h ] || fail "configure produced no config.h"
touch .configured
echo "$TREE"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon talks to a data plane through dataplane.h only (docs/dataplane.md):
# no daemon source names a backend or includes a backend's own header, except
# dpchoice.c/.h, the one place that chooses the backend; the daemon's
# meson.build links no backend's internals. Usage: check_daemon_isolation.sh ROOT
# (ROOT: the source tree, or a fixture tree shaped like it).
set -u
root=${1:?usage: $0 SOURCE_ROOT}
d="$root/l2tpd/daemon"
fail=0

[ -d "$d" ] || { echo "no daemon sources in $d" >&2; exit 2; }
# Backends by their ops, private APIs and headers.
names='dataplane_(kernel|userspace|null)\b|\bdp_user_|\bdpk_|\bdp_null_|\bDP_USER_|dataplane_kernel\.h|dp_user\.h|dpk\.h|dp_null\.h'
for f in "$d"/*.c "$d"/*.h; do
	case "${f##*/}" in dpchoice.c|dpchoice.h) continue ;; esac
	if grep -nE "$names" "$f"; then
		echo "$f: names a data-plane backend; ask its capabilities (dataplane.h) instead" >&2
		fail=1
	fi
done
# dpchoice.c may name backends but include no backend's own header.
if grep -nE '#include "(dataplane_kernel|dp_user|dpk|dp_null)\.h"' "$d"/dpchoice.c 2>/dev/null; then
	echo "$d/dpchoice.c: includes a backend's own header" >&2
	fail=1
fi
if grep -nE 'dpuser_dep|dpkernel_dep|dpnull_dep|dpuser_lib|dpkernel_lib|dpnull_lib' "$d/meson.build"; then
	echo "$d/meson.build: links a backend's internals; use dataplane_dep" >&2
	fail=1
fi
[ $fail = 0 ] && echo "daemon sources reach data planes through dataplane.h only"
exit $fail

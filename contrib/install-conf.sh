#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# meson install script: put the default configuration files in place,
# never over ones that exist (an administrator's configuration survives a
# re-install). Usage: install-conf.sh DIR MODE FILE...
set -eu
dir=${DESTDIR:-}$1
mode=$2
shift 2
mkdir -p "$dir"
for f in "$@"; do
	dst=$dir/$(basename "$f")
	if [ -e "$dst" ]; then
		echo "install-conf: keeping $dst"
	else
		install -m "$mode" "$f" "$dst"
		echo "install-conf: installed $dst"
	fi
done

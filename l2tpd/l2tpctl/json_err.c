/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's one way to report a failure. With --json every failure is one
 * object on stdout, {"error": {"code": "...", "message": "..."}}, so a
 * script reads stdout only and checks the exit status; without it, a line
 * on stderr. Codes (docs/operations.md "l2tpctl --json"): usage,
 * unknown_command, config, unreachable, permission_denied, daemon, protocol.
 */
#include "commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"

/* The global options, here with the one function that reads them for every
 * command (the library is linked into l2tpctl and its tests). */
struct l2tpctl_options l2tpctl_opts;

/* Through lib's one JSON escaper (RFC 8259, invalid UTF-8 as U+FFFD). */
static void json_str(FILE *f, const char *s)
{
	struct strbuf b = { 0 };
	char *text;

	sb_json_str(&b, s);
	text = sb_take(&b);
	fputs(text ? text : "\"\"", f);
	free(text);
}

int l2tpctl_fail(FILE *out, FILE *err, int status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l2tpctl_opts.json) {
		fputs("{\"error\":{\"code\":", out);
		json_str(out, code);
		fputs(",\"message\":", out);
		json_str(out, msg);
		fputs("}}\n", out);
	} else {
		fprintf(err, "%s\n", msg);
	}
	return status;
}

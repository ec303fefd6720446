/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The swanctl.conf syntax, parsed into a tree (see docs/policy.md, "Syntax"):
 *
 *   name {              # a section; sections of the same name merge
 *       key = value     # a value runs to end of line, '#' or '}'
 *       list = a, "b c", ~"^pat"   # comma-separated items; ~ marks a pattern
 *       include conf.d/NAME.conf     # a glob pattern, relative to this file
 *   }
 *
 * The tree knows nothing about users or policies: its readers give it a
 * meaning (the policy file: policy/build.c; l2tpd.conf:
 * l2tpd/daemon/config.c; swanctl.conf: l2tpctl's client_ipsec.c). All
 * memory lives in the caller's arena. In lib/ because all three use it.
 */
#ifndef COMMON_CONF_H
#define COMMON_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "conf_error.h"

enum conf_kind { CONF_SECTION, CONF_VALUE };

struct conf_item {
	const char *text;	/* NUL-terminated, escapes resolved */
	uint32_t len;
	bool quoted;
	bool pattern;		/* written as ~item */
	uint32_t line, col;
};

struct conf_node {
	enum conf_kind kind;
	const char *name;
	const char *file;
	uint32_t line, col;
	/* CONF_VALUE */
	struct conf_item *items;
	uint32_t n_items;
	/* CONF_SECTION: children in file order */
	struct conf_node **child;
	uint32_t n_child, cap_child;
	uint32_t *index;	/* open addressing: child position + 1 */
	uint32_t index_cap;
};

struct conf_opts {
	bool no_include;
	unsigned max_include_depth;
	size_t max_file_size;
};

#define CONF_MAX_NESTING 32
#define CONF_DEFAULT_INCLUDE_DEPTH 8
#define CONF_DEFAULT_MAX_FILE (16u << 20)

/* Parse into a new root section allocated in `a`. */
int conf_parse_file(struct arena *a, const char *path,
		    const struct conf_opts *opts, struct conf_node **root,
		    struct policy_error *err);
int conf_parse_buffer(struct arena *a, const char *name, const void *buf,
		      size_t len, const struct conf_opts *opts,
		      struct conf_node **root, struct policy_error *err);

/* A child by name (exact), or NULL. O(1) for large sections. */
struct conf_node *conf_find(const struct conf_node *sec, const char *name);

/* Fill err with "file:line:col: " + formatted text. */
void conf_set_error(struct policy_error *err, enum policy_errcode code,
		    const char *file, unsigned line, unsigned col,
		    const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif

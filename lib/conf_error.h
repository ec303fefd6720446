/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The error of loading a configuration file: a code and "file:line:col:
 * what" (docs/policy.md "Errors"). Named after the policy library, its
 * first user and the one that hands it out through its API
 * (policy_load()); the swanctl-syntax parser (conf.h) fills it for the
 * policy file, l2tpd.conf and swanctl.conf alike.
 */
#ifndef COMMON_CONF_ERROR_H
#define COMMON_CONF_ERROR_H

enum policy_errcode {
	POLICY_OK = 0,
	POLICY_ERR_IO,		/* cannot open/read a file */
	POLICY_ERR_SYNTAX,	/* expected X, got Y */
	POLICY_ERR_STRING,	/* unterminated string or bad escape */
	POLICY_ERR_BYTE,	/* NUL or control byte in the text */
	POLICY_ERR_NESTING,	/* sections or includes nested too deep */
	POLICY_ERR_DUPLICATE,	/* key set twice, user twice, ... */
	POLICY_ERR_INCLUDE,	/* include missing, disabled, or glob failed */
	POLICY_ERR_UNKNOWN_KEY,	/* key or section not known here */
	POLICY_ERR_VALUE,	/* value of the wrong form */
	POLICY_ERR_REFERENCE,	/* unknown group / pool name */
	POLICY_ERR_PATTERN,	/* PCRE2 pattern does not compile */
	POLICY_ERR_MISSING,	/* required key absent */
	POLICY_ERR_CONFLICT,	/* overlapping pools, shared static address */
	POLICY_ERR_NOMEM,
	POLICY_ERR__COUNT
};

struct policy_error {
	enum policy_errcode code;
	char file[256];
	unsigned line, col;	/* 0 when not tied to a position */
	char msg[768];		/* "file:line:col: expected X, got Y" */
};

#endif

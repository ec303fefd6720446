/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the l2tpd.conf unit tests (test_config*.c): a configuration
 * loaded from text through a temporary file, a refusal expected at
 * file:line:col with the running configuration untouched, and files (secrets,
 * certificates) in a private folder removed at the end.
 */
#ifndef TEST_CONFIG_TEXT_H
#define TEST_CONFIG_TEXT_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* The file the last config_load_text() read (gone by now: its name is
 * what errors begin with). */
extern char conf_path[64];
/* The private folder of conf_file(), "" until the first file. */
extern char conf_dir[64];

/* config_load() on a temporary file holding text. */
int conf_load_text(const char *text, struct l2tpd_config *c, char *err, size_t errlen);
/* text is refused with an error beginning "<file>:<where>: " and naming
 * what; the configuration passed in is left as it was. */
void conf_expect_error(const char *text, const char *where, const char *what);
/* A file in the private folder with this content and mode; its path
 * (a static buffer: the next call reuses it). */
const char *conf_file(const char *name, const char *content, mode_t mode);
/* A cmocka group teardown: the private folder removed. */
int conf_cleanup(void **state);

#endif

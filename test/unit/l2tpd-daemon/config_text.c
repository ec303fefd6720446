/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the l2tpd.conf unit tests: config_text.h. */
#include "config_text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

char conf_path[64];
char conf_dir[64];

int conf_load_text(const char *text, struct l2tpd_config *c, char *err, size_t errlen)
{
	FILE *f;
	int fd, rc;

	snprintf(conf_path, sizeof(conf_path), "/tmp/l2tpd-conf-XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	rc = config_load(conf_path, c, err, errlen);
	unlink(conf_path);
	return rc;
}

void conf_expect_error(const char *text, const char *where, const char *what)
{
	struct l2tpd_config c;
	char err[512], want[160];

	config_defaults(&c);
	c.port = 4242;	/* must stay untouched on error */
	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%s: ", conf_path, where);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fail_msg("got '%s', want '%s...%s'", err, want, what);
	assert_int_equal(c.port, 4242);
}

const char *conf_file(const char *name, const char *content, mode_t mode)
{
	static char p[128];
	FILE *f;

	if (!conf_dir[0]) {
		snprintf(conf_dir, sizeof(conf_dir), "/tmp/l2tpd-conf-dir-XXXXXX");
		assert_non_null(mkdtemp(conf_dir));
	}
	snprintf(p, sizeof(p), "%s/%s", conf_dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

int conf_cleanup(void **state)
{
	char cmd[128];

	(void)state;
	if (conf_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", conf_dir);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

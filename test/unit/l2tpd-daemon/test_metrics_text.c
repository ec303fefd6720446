/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The metrics page's text (Prometheus exposition format 0.0.4) and the
 * scrape's HTTP request line (RFC 9112 section 3), metrics_text.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_text.h"

static char *take(struct strbuf *b)
{
	char *s = sb_take(b);

	assert_non_null(s);
	return s;
}

static void family_and_samples_follow_the_format(void **state)
{
	struct strbuf b = { 0 };
	char *s;

	prom_family(&b, "l2tpd_ports", "gauge", "Sessions at most.");
	prom_sample(&b, "l2tpd_ports", 128, NULL);
	prom_sample(&b, "l2tpd_auth_total", 3, "method", "mschapv2", "result", "success", NULL);
	s = take(&b);
	assert_string_equal(s, "# HELP l2tpd_ports Sessions at most.\n"
			       "# TYPE l2tpd_ports gauge\n"
			       "l2tpd_ports 128\n"
			       "l2tpd_auth_total{method=\"mschapv2\",result=\"success\"} 3\n");
	free(s);
}

static void label_values_are_escaped(void **state)
{
	struct strbuf b = { 0 };
	char *s;

	/* a user name a client chose: quote, backslash, newline */
	prom_sample(&b, "m", 1, "user", "a\"b\\c\nd", NULL);
	s = take(&b);
	assert_string_equal(s, "m{user=\"a\\\"b\\\\c\\nd\"} 1\n");
	free(s);
}

static void invalid_utf8_and_control_characters_become_question_marks(void **state)
{
	struct strbuf b = { 0 };
	char *s;

	/* valid: é (C3 A9), € (E2 82 AC), U+1F600 (F0 9F 98 80); invalid:
	 * a lone continuation, an overlong '/', a surrogate, a cut sequence */
	prom_sample(&b, "m", 7, "user",
		    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\x80|\xc0\xaf|\xed\xa0\x80|\x01\x7f|\xe2\x82", NULL);
	s = take(&b);
	assert_string_equal(s, "m{user=\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|?|??|???|??|??\"} 7\n");
	free(s);
}

static enum metrics_request parse(const char *req, bool *head)
{
	return metrics_request_parse((const uint8_t *)req, strlen(req), head);
}

static void get_metrics_is_a_scrape(void **state)
{
	bool head;

	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &head),
			 METRICS_REQ_METRICS);
	assert_false(head);
	assert_int_equal(parse("HEAD /metrics?x=1 HTTP/1.0\r\n\r\n", &head), METRICS_REQ_METRICS);
	assert_true(head);
	/* RFC 9112 section 2.2: a bare LF ends a line for a lenient recipient */
	assert_int_equal(parse("GET /metrics HTTP/1.1\n\n", &head), METRICS_REQ_METRICS);
}

static void an_unfinished_request_asks_for_more(void **state)
{
	bool head;

	assert_int_equal(parse("", &head), METRICS_REQ_INCOMPLETE);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &head),
			 METRICS_REQ_INCOMPLETE);
}

static void other_paths_methods_and_garbage_get_their_status(void **state)
{
	bool head;

	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &head), METRICS_REQ_NOT_FOUND);
	assert_int_equal(parse("GET /metricsx HTTP/1.1\r\n\r\n", &head), METRICS_REQ_NOT_FOUND);
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\n\r\n", &head), METRICS_REQ_BAD_METHOD);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &head), METRICS_REQ_BAD);
	assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n", &head), METRICS_REQ_BAD);
	assert_int_equal(parse("GET /metrics\r\n\r\n", &head), METRICS_REQ_BAD);
	assert_int_equal(parse("\x01\x02\x03\r\n\r\n", &head), METRICS_REQ_BAD);
	assert_int_equal(metrics_request_parse((const uint8_t *)"GET /m\0etrics HTTP/1.1\r\n\r\n", 26,
					       &head), METRICS_REQ_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(family_and_samples_follow_the_format),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(invalid_utf8_and_control_characters_become_question_marks),
		cmocka_unit_test(get_metrics_is_a_scrape),
		cmocka_unit_test(an_unfinished_request_asks_for_more),
		cmocka_unit_test(other_paths_methods_and_garbage_get_their_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

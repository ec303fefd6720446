/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 codec: header, AVPs, hidden AVPs, message rules (RFC 2661).
 * Frames are built by hand here (a second writer, independent of the
 * encoder) so that the decoder is checked against the RFC, not itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "l2tp_codec.h"

/* ---- a tiny independent frame builder ---- */

struct frame {
	uint8_t b[2048];
	size_t n;
};

static void f_u16(struct frame *f, uint16_t v)
{
	f->b[f->n++] = (uint8_t)(v >> 8);
	f->b[f->n++] = (uint8_t)v;
}

static void f_bytes(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

/* Control header with T, L, S, version 2; length patched by f_end. */
static void f_ctrl(struct frame *f, uint16_t tid, uint16_t sid, uint16_t ns, uint16_t nr)
{
	f->n = 0;
	f_u16(f, 0xc802);
	f_u16(f, 0);
	f_u16(f, tid);
	f_u16(f, sid);
	f_u16(f, ns);
	f_u16(f, nr);
}

static void f_end(struct frame *f)
{
	f->b[2] = (uint8_t)(f->n >> 8);
	f->b[3] = (uint8_t)f->n;
}

static void f_avp(struct frame *f, uint16_t flags, uint16_t vendor, uint16_t type,
		  const void *v, size_t n)
{
	f_u16(f, (uint16_t)(flags | (6 + n)));
	f_u16(f, vendor);
	f_u16(f, type);
	f_bytes(f, v, n);
}

static void f_avp16(struct frame *f, uint16_t type, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	f_avp(f, 0x8000, 0, type, b, 2);
}

static void f_avp32(struct frame *f, uint16_t type, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	f_avp(f, 0x8000, 0, type, b, 4);
}

static enum l2tp_reason decode_frame(const struct frame *f, const struct l2tp_secret *s,
				     struct l2tp_msg *m)
{
	struct l2tp_header h;
	enum l2tp_reason r = l2tp_ctrl_header_parse(f->b, f->n, &h);

	if (r != L2TP_OK)
		return r;
	return l2tp_msg_decode(f->b + h.hdr_len, h.frame_len - h.hdr_len, s, m);
}

static struct l2tp_msg msg, msg2;

/* ---- header ---- */

static void control_header_fields_are_parsed(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 0x1234, 0x5678, 7, 9);
	f_end(&f);
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n, &h), L2TP_OK);
	assert_true(h.control);
	assert_int_equal(h.tunnel_id, 0x1234);
	assert_int_equal(h.session_id, 0x5678);
	assert_int_equal(h.ns, 7);
	assert_int_equal(h.nr, 9);
	assert_int_equal(h.hdr_len, 12);
	assert_int_equal(h.frame_len, 12);
}

static void control_header_truncated_at_every_length_is_rejected(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 1, 0, 0, 0);
	f_end(&f);
	for (size_t n = 0; n < 12; n++) {
		enum l2tp_reason r = l2tp_ctrl_header_parse(f.b, n, &h);
		/* with the Length field read, a short datagram is a length error */
		assert_true(r == L2TP_R_TRUNCATED_HEADER || r == L2TP_R_BAD_LENGTH);
	}
}

static void unknown_version_is_discarded(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 1, 0, 0, 0);
	f_end(&f);
	f.b[1] = 0x03; /* L2TPv3 */
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n, &h), L2TP_R_BAD_VERSION);
	f.b[1] = 0x01; /* L2F */
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n, &h), L2TP_R_BAD_VERSION);
}

static void control_without_length_or_sequence_is_rejected(void **state)
{
	uint8_t no_l[] = {0x88, 0x02, 0, 1, 0, 0, 0, 0, 0, 0};
	uint8_t no_s[] = {0xc0, 0x02, 0, 8, 0, 1, 0, 0};
	uint8_t with_o[] = {0xca, 0x02, 0, 14, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t with_p[] = {0xc9, 0x02, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0};
	struct l2tp_header h;

	assert_int_equal(l2tp_ctrl_header_parse(no_l, sizeof(no_l), &h), L2TP_R_BAD_CONTROL_FLAGS);
	assert_int_equal(l2tp_ctrl_header_parse(no_s, sizeof(no_s), &h), L2TP_R_BAD_CONTROL_FLAGS);
	assert_int_equal(l2tp_ctrl_header_parse(with_o, sizeof(with_o), &h), L2TP_R_BAD_CONTROL_FLAGS);
	assert_int_equal(l2tp_ctrl_header_parse(with_p, sizeof(with_p), &h), L2TP_R_BAD_CONTROL_FLAGS);
}

static void length_past_datagram_is_rejected(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 1, 0, 0, 0);
	f_avp16(&f, 0, 6);
	f_end(&f);
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n - 1, &h), L2TP_R_BAD_LENGTH);
	f.b[3] = 4; /* Length inside the header */
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n, &h), L2TP_R_BAD_LENGTH);
}

static void trailing_bytes_after_length_are_ignored(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 1, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_end(&f);
	f.b[f.n] = 0xee;
	assert_int_equal(l2tp_ctrl_header_parse(f.b, f.n + 1, &h), L2TP_OK);
	assert_int_equal(h.frame_len, f.n);
}

static void data_message_given_to_control_parser_is_rejected(void **state)
{
	uint8_t data[] = {0x00, 0x02, 0, 1, 0, 2, 0xff, 0x03};
	struct l2tp_header h;

	assert_int_equal(l2tp_ctrl_header_parse(data, sizeof(data), &h), L2TP_R_NOT_CONTROL);
}

/* ---- data header ---- */

static void minimal_data_header_gives_ids_and_payload(void **state)
{
	uint8_t d[] = {0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0xff, 0x03, 0xc0, 0x21};
	struct l2tp_header h;

	assert_int_equal(l2tp_data_header_parse(d, sizeof(d), &h), L2TP_OK);
	assert_false(h.control);
	assert_int_equal(h.tunnel_id, 0x1234);
	assert_int_equal(h.session_id, 0x5678);
	assert_int_equal(h.hdr_len, 6);
	assert_int_equal(h.frame_len, sizeof(d));
}

static void data_header_with_length_sequence_and_offset(void **state)
{
	/* L, S, O, P set: flags 0x4b02 */
	uint8_t d[] = {0x4b, 0x02, 0, 20, 0, 1, 0, 2, 0, 5, 0, 6, 0, 2, 0xaa, 0xbb,
		       0xff, 0x03, 0xc0, 0x21, 0x99};
	struct l2tp_header h;

	assert_int_equal(l2tp_data_header_parse(d, sizeof(d), &h), L2TP_OK);
	assert_true(h.has_length && h.has_seq && h.has_offset && h.priority);
	assert_int_equal(h.ns, 5);
	assert_int_equal(h.nr, 6);
	assert_int_equal(h.offset_size, 2);
	assert_int_equal(h.hdr_len, 16);
	assert_int_equal(h.frame_len, 20); /* the trailing 0x99 is past Length */
}

static void data_offset_past_frame_is_rejected(void **state)
{
	uint8_t d[] = {0x02, 0x02, 0, 1, 0, 2, 0, 9, 0xff};
	struct l2tp_header h;

	assert_int_equal(l2tp_data_header_parse(d, sizeof(d), &h), L2TP_R_BAD_OFFSET);
	d[7] = 1;
	assert_int_equal(l2tp_data_header_parse(d, sizeof(d), &h), L2TP_OK);
	assert_int_equal(h.hdr_len, 9);
}

static void data_header_truncated_is_rejected(void **state)
{
	uint8_t d[] = {0x48, 0x02, 0, 12, 0, 1, 0, 2, 0, 0};
	struct l2tp_header h;

	for (size_t n = 0; n < sizeof(d); n++)
		assert_int_not_equal(l2tp_data_header_parse(d, n, &h), L2TP_OK);
}

static void control_message_given_to_data_parser_is_rejected(void **state)
{
	struct frame f;
	struct l2tp_header h;

	f_ctrl(&f, 1, 0, 0, 0);
	f_end(&f);
	assert_int_equal(l2tp_data_header_parse(f.b, f.n, &h), L2TP_R_NOT_DATA);
}

static void data_header_writer_round_trips(void **state)
{
	uint8_t b[6];
	struct l2tp_header h;

	assert_int_equal(l2tp_data_header_write(b, sizeof(b), 0xabcd, 0x0102), 6);
	assert_int_equal(l2tp_data_header_parse(b, sizeof(b), &h), L2TP_OK);
	assert_int_equal(h.tunnel_id, 0xabcd);
	assert_int_equal(h.session_id, 0x0102);
	assert_int_equal(l2tp_data_header_write(b, 5, 1, 2), 0);
}

/* ---- interop fixtures (docs/interop.md) ---- */

static void build_windows_sccrq(struct frame *f)
{
	uint8_t ver[2] = {1, 0};

	f_ctrl(f, 0, 0, 0, 0);
	f_avp16(f, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	f_avp(f, 0x8000, 0, L2TP_AVP_PROTOCOL_VERSION, ver, 2);
	f_avp32(f, L2TP_AVP_FRAMING_CAPABILITIES, 1);	/* synchronous only */
	/* no Bearer Capabilities */
	f_avp(f, 0, 0, L2TP_AVP_FIRMWARE_REVISION, "\x0a\x00", 2);
	f_avp(f, 0x8000, 0, L2TP_AVP_HOST_NAME, "DESKTOP-4F2K9QX", 15);
	f_avp(f, 0, 0, L2TP_AVP_VENDOR_NAME, "Microsoft", 9);
	f_avp16(f, L2TP_AVP_ASSIGNED_TUNNEL_ID, 1);
	f_avp16(f, L2TP_AVP_RECEIVE_WINDOW_SIZE, 8);
	f_end(f);
}

static void windows_sccrq_decodes(void **state)
{
	struct frame f;

	build_windows_sccrq(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_int_equal(msg.type, L2TP_MSG_SCCRQ);
	assert_int_equal(msg.protocol_version, 1);
	assert_int_equal(msg.protocol_revision, 0);
	assert_int_equal(msg.framing_capabilities, L2TP_FRAMING_SYNC);
	assert_false(l2tp_msg_has(&msg, L2TP_AVP_BEARER_CAPABILITIES));
	assert_int_equal(msg.firmware_revision, 0x0a00);
	assert_memory_equal(msg.host_name.p, "DESKTOP-4F2K9QX", 15);
	assert_int_equal(msg.vendor_name.len, 9);
	assert_memory_equal(msg.vendor_name.p, "Microsoft", 9);
	assert_int_equal(msg.assigned_tunnel_id, 1);
	assert_int_equal(msg.receive_window_size, 8);
	assert_int_equal(msg.unknown_optional, 0);
}

static void xl2tpd_sccrq_with_bearer_caps_and_tie_breaker_decodes(void **state)
{
	struct frame f;
	uint8_t ver[2] = {1, 0};
	uint8_t tb[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	f_ctrl(&f, 0, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_SCCRQ);
	f_avp(&f, 0x8000, 0, 2, ver, 2);
	f_avp32(&f, 3, 3);
	f_avp32(&f, 4, 3);
	f_avp(&f, 0, 0, 6, "\x06\x90", 2);
	f_avp(&f, 0x8000, 0, 7, "vpnclient", 9);
	f_avp(&f, 0, 0, 8, "xelerance.com", 13);
	f_avp16(&f, 9, 0x3f2a);
	f_avp16(&f, 10, 4);
	f_avp(&f, 0, 0, 5, tb, 8);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_int_equal(msg.receive_window_size, 4);
	assert_int_equal(msg.bearer_capabilities, 3);
	assert_memory_equal(msg.tie_breaker, tb, 8);
	assert_int_equal(msg.assigned_tunnel_id, 0x3f2a);
}

/* ---- AVP framing and semantics ---- */

static void zlb_has_no_avps(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 3, 4);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_true(msg.zlb);
}

static void avp_header_past_end_is_truncated(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_u16(&f, 0x8008);
	f_u16(&f, 0);	/* 4 bytes of a 6-byte AVP header */
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_TRUNCATED);
}

static void avp_length_below_six_is_rejected(void **state)
{
	for (uint16_t len = 0; len < 6; len++) {
		struct frame f;

		f_ctrl(&f, 5, 0, 0, 0);
		f_avp16(&f, 0, L2TP_MSG_HELLO);
		f_u16(&f, len);
		f_u16(&f, 0);
		f_u16(&f, 99);
		f_end(&f);
		assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_BAD_LENGTH);
	}
}

static void avp_length_past_end_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0, 0, 8, "abc", 3);
	f.b[f.n - 3 - 6 + 1] += 1; /* length 10 for 9 bytes */
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_BAD_LENGTH);
}

static void first_avp_must_be_message_type(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 9, 1);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_FIRST_AVP_NOT_MSG_TYPE);
}

static void unknown_message_type_with_m_bit_is_fatal(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, 99);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY);
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp(&f, 0, 0, 0, "\x00\x05", 2); /* reserved type 5 without M */
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_UNKNOWN_MSG_TYPE_IGNORED);
}

static void unknown_optional_avp_is_skipped(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0, 0, 200, "xyz", 3);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_int_equal(msg.unknown_optional, 1);
}

static void unknown_mandatory_avp_is_reported_with_fields_kept(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRQ);
	f_avp16(&f, 14, 0x4242);
	f_avp(&f, 0x8000, 0, 77, "zz", 2);
	f_avp32(&f, 15, 9);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_UNKNOWN_MANDATORY_AVP);
	assert_int_equal(msg.unknown_avp_type, 77);
	assert_int_equal(msg.assigned_session_id, 0x4242); /* needed for the CDN */
	assert_int_equal(msg.call_serial_number, 9);
}

static void vendor_avp_is_skipped_by_length(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	/* Microsoft (311) AVP type 7: must not be read as a Host Name */
	f_avp(&f, 0, 311, 7, "\x01\x02\x03", 3);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_false(l2tp_msg_has(&msg, L2TP_AVP_HOST_NAME));
	assert_int_equal(msg.vendor_avps, 1);
	assert_int_equal(msg.unknown_optional, 1);
}

static void vendor_avp_with_m_bit_is_unknown_mandatory(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0x8000, 9, 1, "\x01", 1);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_UNKNOWN_MANDATORY_AVP);
	assert_int_equal(msg.unknown_avp_vendor, 9);
}

static void reserved_avp_bit_makes_avp_unrecognized(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0x0400, 0, 8, "v", 1);	/* reserved bit, M clear: skipped */
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_false(l2tp_msg_has(&msg, L2TP_AVP_VENDOR_NAME));
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0x8400, 0, 8, "v", 1);	/* with M: fatal */
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_UNKNOWN_MANDATORY_AVP);
}

static void missing_mandatory_avp_is_named(void **state)
{
	struct frame f;
	uint8_t ver[2] = {1, 0};

	f_ctrl(&f, 0, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_SCCRQ);
	f_avp(&f, 0x8000, 0, 2, ver, 2);
	f_avp32(&f, 3, 1);
	f_avp16(&f, 9, 1);
	f_end(&f);	/* no Host Name */
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_MISSING_MANDATORY_AVP);
	assert_int_equal(msg.missing_avp, L2TP_AVP_HOST_NAME);
}

static void duplicate_avp_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp16(&f, 14, 1);
	f_avp16(&f, 14, 2);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_DUPLICATE);
	assert_int_equal(msg.bad_avp, 14);
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_DUPLICATE);
}

static void known_avp_of_wrong_size_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp(&f, 0x8000, 0, 14, "\x00\x01\x02", 3);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_BAD_SIZE);
	/* Result Code of 3 octets: result plus half an error code */
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_STOPCCN);
	f_avp16(&f, 9, 1);
	f_avp(&f, 0x8000, 0, 1, "\x00\x01\x00", 3);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_BAD_SIZE);
	/* empty Host Name */
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0x8000, 0, 7, "", 0);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_AVP_BAD_SIZE);
}

static void result_code_with_error_and_message_decodes(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_STOPCCN);
	f_avp16(&f, 9, 33);
	f_avp(&f, 0x8000, 0, 1, "\x00\x02\x00\x04no room", 11);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_OK);
	assert_int_equal(msg.result_code, 2);
	assert_true(msg.has_error_code);
	assert_int_equal(msg.error_code, 4);
	assert_int_equal(msg.error_message.len, 7);
	assert_memory_equal(msg.error_message.p, "no room", 7);
}

/* ---- hidden AVPs (section 4.3) ---- */

static const uint8_t rv16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const struct l2tp_secret secret = {(const uint8_t *)"secret", 6};

/*
 * Vectors computed by hand (Python hashlib, outside this code base):
 * short: Assigned Session ID 0x1234, subformat 00 02 12 34 XOR
 *        MD5(00 0e | "secret" | 01..10) = aa bd 44 45
 * long:  Host Name "a-host-name-longer-than-16-oct" (30 octets): two
 *        segments, the second keyed by MD5("secret" | first hidden segment)
 */
static const uint8_t hidden_short[] = {0xaa, 0xbd, 0x44, 0x45};
static const uint8_t hidden_long[] = {
	0x01, 0xf9, 0xae, 0x9e, 0x0e, 0xfc, 0xdb, 0xbc, 0xd6, 0x6a, 0xb7, 0x5c, 0x33, 0xc3, 0x04, 0x69,
	0xd2, 0x08, 0x20, 0x9a, 0xf0, 0x99, 0x63, 0x19, 0xa3, 0xfd, 0xde, 0xa0, 0x9c, 0x64, 0x6a, 0x98};
static const char long_name[] = "a-host-name-longer-than-16-oct";

static void hiding_matches_hand_computed_vectors(void **state)
{
	uint8_t out[64];
	uint8_t v[2] = {0x12, 0x34};

	assert_int_equal(l2tp_avp_hide(14, &secret, rv16, 16, v, 2, NULL, 0, out, sizeof(out)), 4);
	assert_memory_equal(out, hidden_short, 4);
	assert_int_equal(l2tp_avp_hide(7, &secret, rv16, 16, (const uint8_t *)long_name, 30,
				       NULL, 0, out, sizeof(out)), 32);
	assert_memory_equal(out, hidden_long, 32);
}

static void hidden_avps_decode_to_hand_computed_plaintext(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp(&f, 0x8000, 0, 36, rv16, 16);
	f_avp(&f, 0xc000, 0, 14, hidden_short, 4);
	f_avp(&f, 0x4000, 0, 7, hidden_long, 32); /* unexpected in ICRP, but decodable */
	f_end(&f);
	assert_int_equal(decode_frame(&f, &secret, &msg), L2TP_OK);
	assert_int_equal(msg.assigned_session_id, 0x1234);
	assert_int_equal(msg.host_name.len, 30);
	assert_memory_equal(msg.host_name.p, long_name, 30);
	assert_true(msg.hidden & L2TP_AVP_BIT(14));
	assert_int_equal(msg.unexpected_avps, 1);
}

static void encoder_hides_what_it_is_asked_to(void **state)
{
	uint8_t buf[256];
	size_t n;
	struct l2tp_header h;
	struct l2tp_hide hide = {secret, rv16, 16, L2TP_AVP_BIT(14)};

	l2tp_msg_init(&msg, L2TP_MSG_ICRP);
	msg.assigned_session_id = 0x1234;
	l2tp_msg_set(&msg, L2TP_AVP_ASSIGNED_SESSION_ID);
	n = l2tp_msg_encode(&msg, 1, 2, 0, 0, &hide, buf, sizeof(buf));
	assert_int_not_equal(n, 0);
	/* header 12, Message Type 8, Random Vector 22, hidden AVP 10 */
	assert_int_equal(n, 12 + 8 + 22 + 10);
	assert_int_equal(buf[42] & 0xc0, 0xc0);
	assert_memory_equal(buf + 48, hidden_short, 4);
	assert_int_equal(l2tp_ctrl_header_parse(buf, n, &h), L2TP_OK);
	assert_int_equal(l2tp_msg_decode(buf + 12, n - 12, &secret, &msg2), L2TP_OK);
	assert_int_equal(msg2.assigned_session_id, 0x1234);
}

static void hidden_avp_without_secret_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp(&f, 0x8000, 0, 36, rv16, 16);
	f_avp(&f, 0xc000, 0, 14, hidden_short, 4);
	f_end(&f);
	assert_int_equal(decode_frame(&f, NULL, &msg), L2TP_R_HIDDEN_NO_SECRET);
}

static void hidden_avp_without_random_vector_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp(&f, 0xc000, 0, 14, hidden_short, 4);
	f_avp(&f, 0x8000, 0, 36, rv16, 16);	/* too late */
	f_end(&f);
	assert_int_equal(decode_frame(&f, &secret, &msg), L2TP_R_HIDDEN_NO_RANDOM_VECTOR);
}

static void hidden_avp_with_wrong_secret_fails_length_check(void **state)
{
	struct frame f;
	struct l2tp_secret wrong = {(const uint8_t *)"wrong!", 6};
	int failures = 0;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_ICRP);
	f_avp(&f, 0x8000, 0, 36, rv16, 16);
	f_avp(&f, 0xc000, 0, 14, hidden_short, 4);
	f_end(&f);
	/* the decrypted length is garbage: past the value, or not 2 octets */
	enum l2tp_reason r = decode_frame(&f, &wrong, &msg);
	failures += r == L2TP_R_HIDDEN_BAD_LENGTH || r == L2TP_R_AVP_BAD_SIZE;
	assert_int_equal(failures, 1);
}

static void hidden_message_type_or_random_vector_is_forbidden(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp(&f, 0xc000, 0, 0, "\x00\x06", 2);
	f_end(&f);
	assert_int_equal(decode_frame(&f, &secret, &msg), L2TP_R_FIRST_AVP_NOT_MSG_TYPE);
	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0xc000, 0, 36, rv16, 16);
	f_end(&f);
	assert_int_equal(decode_frame(&f, &secret, &msg), L2TP_R_HIDDEN_FORBIDDEN);
}

static void hidden_avp_shorter_than_length_field_is_rejected(void **state)
{
	struct frame f;

	f_ctrl(&f, 5, 0, 0, 0);
	f_avp16(&f, 0, L2TP_MSG_HELLO);
	f_avp(&f, 0x8000, 0, 36, rv16, 16);
	f_avp(&f, 0x4000, 0, 8, "\x01", 1);
	f_end(&f);
	assert_int_equal(decode_frame(&f, &secret, &msg), L2TP_R_HIDDEN_BAD_LENGTH);
}

static void challenge_response_matches_hand_computed_vector(void **state)
{
	uint8_t ch[16], out[16];
	const uint8_t expect[16] = {0xdd, 0x41, 0x86, 0xe2, 0x19, 0x6f, 0x00, 0x12,
				    0x4a, 0x9d, 0x58, 0x8f, 0x02, 0x70, 0x12, 0x59};

	for (int i = 0; i < 16; i++)
		ch[i] = (uint8_t)i;
	l2tp_challenge_response(L2TP_MSG_SCCRP, &secret, ch, 16, out);
	assert_memory_equal(out, expect, 16);
}

/* ---- encode/decode round trip of every message type ---- */

static void fill_all(struct l2tp_msg *m, unsigned type)
{
	uint64_t want = l2tp_msg_allowed_avps(type) & ~L2TP_AVP_BIT(L2TP_AVP_RANDOM_VECTOR);
	static const uint8_t lcp[] = {0x01, 0x01, 0x00, 0x0a, 0x01, 0x04, 0x05, 0x78, 0x05, 0x06};

	l2tp_msg_init(m, (enum l2tp_msg_type)type);
	m->present = want;
	m->result_code = 2;
	m->has_error_code = true;
	m->error_code = 4;
	m->error_message.p = (const uint8_t *)"busy";
	m->error_message.len = 4;
	m->protocol_version = 1;
	m->framing_capabilities = 3;
	m->bearer_capabilities = 2;
	memcpy(m->tie_breaker, "\x10\x20\x30\x40\x50\x60\x70\x80", 8);
	m->firmware_revision = 0x0a00;
	m->host_name.p = (const uint8_t *)"lns.example";
	m->host_name.len = 11;
	m->vendor_name.p = (const uint8_t *)"Microsoft";
	m->vendor_name.len = 9;
	m->assigned_tunnel_id = 0xbeef;
	m->receive_window_size = 16;
	m->challenge.p = rv16;
	m->challenge.len = 16;
	memcpy(m->challenge_response, rv16, 16);
	m->q931_cause = 16;
	m->q931_msg = 0x5a;
	m->q931_advisory.p = (const uint8_t *)"normal";
	m->q931_advisory.len = 6;
	m->assigned_session_id = 0xcafe;
	m->call_serial_number = 0x01020304;
	m->minimum_bps = 9600;
	m->maximum_bps = 100000000;
	m->bearer_type = 2;
	m->framing_type = 1;
	m->called_number.p = (const uint8_t *)"5551234";
	m->called_number.len = 7;
	m->calling_number.p = (const uint8_t *)"192.0.2.7";
	m->calling_number.len = 9;
	m->sub_address.p = (const uint8_t *)"x";
	m->sub_address.len = 1;
	m->tx_connect_speed = 10000000;
	m->rx_connect_speed = 20000000;
	m->physical_channel_id = 77;
	m->initial_received_lcp_confreq.p = lcp;
	m->initial_received_lcp_confreq.len = sizeof(lcp);
	m->last_sent_lcp_confreq = m->initial_received_lcp_confreq;
	m->last_received_lcp_confreq = m->initial_received_lcp_confreq;
	m->proxy_authen_type = 2;
	m->proxy_authen_name.p = (const uint8_t *)"alice";
	m->proxy_authen_name.len = 5;
	m->proxy_authen_challenge.p = rv16;
	m->proxy_authen_challenge.len = 16;
	m->proxy_authen_id = 0x42;
	m->proxy_authen_response.p = rv16 + 1;
	m->proxy_authen_response.len = 15;
	m->call_errors.crc_errors = 1;
	m->call_errors.framing_errors = 2;
	m->call_errors.hardware_overruns = 3;
	m->call_errors.buffer_overruns = 4;
	m->call_errors.timeout_errors = 5;
	m->call_errors.alignment_errors = 6;
	m->accm_send = 0xffffffff;
	m->accm_recv = 0x000a0000;
	m->private_group_id.p = (const uint8_t *)"grp";
	m->private_group_id.len = 3;
}

static void assert_bytes_eq(struct l2tp_bytes a, struct l2tp_bytes b)
{
	assert_int_equal(a.len, b.len);
	if (a.len)
		assert_memory_equal(a.p, b.p, a.len);
}

static void assert_same_fields(const struct l2tp_msg *a, const struct l2tp_msg *b)
{
	uint64_t p = a->present;

	assert_int_equal(a->type, b->type);
	assert_true(a->present == b->present);
#define HAS(t) (p & L2TP_AVP_BIT(L2TP_AVP_##t))
	if (HAS(RESULT_CODE)) {
		assert_int_equal(a->result_code, b->result_code);
		assert_int_equal(a->error_code, b->error_code);
		assert_bytes_eq(a->error_message, b->error_message);
	}
	if (HAS(PROTOCOL_VERSION))
		assert_int_equal(a->protocol_version, b->protocol_version);
	if (HAS(FRAMING_CAPABILITIES))
		assert_int_equal(a->framing_capabilities, b->framing_capabilities);
	if (HAS(BEARER_CAPABILITIES))
		assert_int_equal(a->bearer_capabilities, b->bearer_capabilities);
	if (HAS(TIE_BREAKER))
		assert_memory_equal(a->tie_breaker, b->tie_breaker, 8);
	if (HAS(FIRMWARE_REVISION))
		assert_int_equal(a->firmware_revision, b->firmware_revision);
	if (HAS(HOST_NAME))
		assert_bytes_eq(a->host_name, b->host_name);
	if (HAS(VENDOR_NAME))
		assert_bytes_eq(a->vendor_name, b->vendor_name);
	if (HAS(ASSIGNED_TUNNEL_ID))
		assert_int_equal(a->assigned_tunnel_id, b->assigned_tunnel_id);
	if (HAS(RECEIVE_WINDOW_SIZE))
		assert_int_equal(a->receive_window_size, b->receive_window_size);
	if (HAS(CHALLENGE))
		assert_bytes_eq(a->challenge, b->challenge);
	if (HAS(CHALLENGE_RESPONSE))
		assert_memory_equal(a->challenge_response, b->challenge_response, 16);
	if (HAS(Q931_CAUSE_CODE)) {
		assert_int_equal(a->q931_cause, b->q931_cause);
		assert_int_equal(a->q931_msg, b->q931_msg);
		assert_bytes_eq(a->q931_advisory, b->q931_advisory);
	}
	if (HAS(ASSIGNED_SESSION_ID))
		assert_int_equal(a->assigned_session_id, b->assigned_session_id);
	if (HAS(CALL_SERIAL_NUMBER))
		assert_int_equal(a->call_serial_number, b->call_serial_number);
	if (HAS(MINIMUM_BPS))
		assert_int_equal(a->minimum_bps, b->minimum_bps);
	if (HAS(MAXIMUM_BPS))
		assert_int_equal(a->maximum_bps, b->maximum_bps);
	if (HAS(BEARER_TYPE))
		assert_int_equal(a->bearer_type, b->bearer_type);
	if (HAS(FRAMING_TYPE))
		assert_int_equal(a->framing_type, b->framing_type);
	if (HAS(CALLED_NUMBER))
		assert_bytes_eq(a->called_number, b->called_number);
	if (HAS(CALLING_NUMBER))
		assert_bytes_eq(a->calling_number, b->calling_number);
	if (HAS(SUB_ADDRESS))
		assert_bytes_eq(a->sub_address, b->sub_address);
	if (HAS(TX_CONNECT_SPEED))
		assert_int_equal(a->tx_connect_speed, b->tx_connect_speed);
	if (HAS(RX_CONNECT_SPEED))
		assert_int_equal(a->rx_connect_speed, b->rx_connect_speed);
	if (HAS(PHYSICAL_CHANNEL_ID))
		assert_int_equal(a->physical_channel_id, b->physical_channel_id);
	if (HAS(INITIAL_RECEIVED_LCP_CONFREQ))
		assert_bytes_eq(a->initial_received_lcp_confreq, b->initial_received_lcp_confreq);
	if (HAS(LAST_SENT_LCP_CONFREQ))
		assert_bytes_eq(a->last_sent_lcp_confreq, b->last_sent_lcp_confreq);
	if (HAS(LAST_RECEIVED_LCP_CONFREQ))
		assert_bytes_eq(a->last_received_lcp_confreq, b->last_received_lcp_confreq);
	if (HAS(PROXY_AUTHEN_TYPE))
		assert_int_equal(a->proxy_authen_type, b->proxy_authen_type);
	if (HAS(PROXY_AUTHEN_NAME))
		assert_bytes_eq(a->proxy_authen_name, b->proxy_authen_name);
	if (HAS(PROXY_AUTHEN_CHALLENGE))
		assert_bytes_eq(a->proxy_authen_challenge, b->proxy_authen_challenge);
	if (HAS(PROXY_AUTHEN_ID))
		assert_int_equal(a->proxy_authen_id, b->proxy_authen_id);
	if (HAS(PROXY_AUTHEN_RESPONSE))
		assert_bytes_eq(a->proxy_authen_response, b->proxy_authen_response);
	if (HAS(CALL_ERRORS))
		assert_memory_equal(&a->call_errors, &b->call_errors, sizeof(a->call_errors));
	if (HAS(ACCM)) {
		assert_int_equal(a->accm_send, b->accm_send);
		assert_int_equal(a->accm_recv, b->accm_recv);
	}
	if (HAS(PRIVATE_GROUP_ID))
		assert_bytes_eq(a->private_group_id, b->private_group_id);
#undef HAS
}

static const unsigned all_types[] = {
	L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN, L2TP_MSG_HELLO,
	L2TP_MSG_OCRQ, L2TP_MSG_OCRP, L2TP_MSG_OCCN, L2TP_MSG_ICRQ, L2TP_MSG_ICRP,
	L2TP_MSG_ICCN, L2TP_MSG_CDN, L2TP_MSG_WEN, L2TP_MSG_SLI,
};

static void every_message_type_round_trips_with_all_its_avps(void **state)
{
	uint8_t buf[L2TP_MAX_CTRL];

	for (size_t i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++) {
		struct l2tp_header h;
		size_t n;

		fill_all(&msg, all_types[i]);
		n = l2tp_msg_encode(&msg, 0x1111, 0x2222, 5, 6, NULL, buf, sizeof(buf));
		assert_int_not_equal(n, 0);
		assert_int_equal(l2tp_ctrl_header_parse(buf, n, &h), L2TP_OK);
		assert_int_equal(h.tunnel_id, 0x1111);
		assert_int_equal(h.session_id, 0x2222);
		assert_int_equal(h.ns, 5);
		assert_int_equal(h.nr, 6);
		assert_int_equal(l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len, NULL,
						 &msg2), L2TP_OK);
		assert_int_equal(msg2.unexpected_avps, 0);
		assert_same_fields(&msg, &msg2);
	}
}

static void every_message_type_round_trips_hidden(void **state)
{
	uint8_t buf[L2TP_MAX_CTRL];
	struct l2tp_hide hide = {secret, rv16, 16, ~(uint64_t)0};

	for (size_t i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++) {
		struct l2tp_header h;
		size_t n;

		fill_all(&msg, all_types[i]);
		n = l2tp_msg_encode(&msg, 1, 2, 0, 0, &hide, buf, sizeof(buf));
		assert_int_not_equal(n, 0);
		assert_int_equal(l2tp_ctrl_header_parse(buf, n, &h), L2TP_OK);
		assert_int_equal(l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len, &secret,
						 &msg2), L2TP_OK);
		msg2.present &= ~L2TP_AVP_BIT(L2TP_AVP_RANDOM_VECTOR);
		assert_same_fields(&msg, &msg2);
	}
}

static void minimal_messages_carry_only_mandatory_avps(void **state)
{
	uint8_t buf[512];

	for (size_t i = 0; i < sizeof(all_types) / sizeof(all_types[0]); i++) {
		struct l2tp_header h;
		size_t n;

		fill_all(&msg, all_types[i]);
		msg.present = l2tp_msg_mandatory_avps(all_types[i]);
		n = l2tp_msg_encode(&msg, 1, 2, 0, 0, NULL, buf, sizeof(buf));
		assert_int_not_equal(n, 0);
		assert_int_equal(l2tp_ctrl_header_parse(buf, n, &h), L2TP_OK);
		assert_int_equal(l2tp_msg_decode(buf + 12, n - 12, NULL, &msg2), L2TP_OK);
		assert_true(msg2.present == msg.present);
		/* and dropping any one mandatory AVP is detected */
		for (unsigned t = 1; t < L2TP_AVP_TYPE_MAX; t++) {
			if (!(msg.present & L2TP_AVP_BIT(t)))
				continue;
			msg.present &= ~L2TP_AVP_BIT(t);
			n = l2tp_msg_encode(&msg, 1, 2, 0, 0, NULL, buf, sizeof(buf));
			assert_int_equal(l2tp_msg_decode(buf + 12, n - 12, NULL, &msg2),
					 L2TP_R_MISSING_MANDATORY_AVP);
			assert_int_equal(msg2.missing_avp, t);
			msg.present |= L2TP_AVP_BIT(t);
		}
	}
}

static void encoder_fails_cleanly_when_buffer_is_small(void **state)
{
	uint8_t buf[L2TP_MAX_CTRL];
	size_t full;

	fill_all(&msg, L2TP_MSG_SCCRQ);
	full = l2tp_msg_encode(&msg, 1, 0, 0, 0, NULL, buf, sizeof(buf));
	assert_int_not_equal(full, 0);
	for (size_t cap = 0; cap < full; cap++)
		assert_int_equal(l2tp_msg_encode(&msg, 1, 0, 0, 0, NULL, buf, cap), 0);
}

static void every_reason_has_a_name(void **state)
{
	for (int r = 0; r < L2TP_R_MAX; r++)
		assert_string_not_equal(l2tp_reason_name((enum l2tp_reason)r), "unknown-reason");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_header_fields_are_parsed),
		cmocka_unit_test(control_header_truncated_at_every_length_is_rejected),
		cmocka_unit_test(unknown_version_is_discarded),
		cmocka_unit_test(control_without_length_or_sequence_is_rejected),
		cmocka_unit_test(length_past_datagram_is_rejected),
		cmocka_unit_test(trailing_bytes_after_length_are_ignored),
		cmocka_unit_test(data_message_given_to_control_parser_is_rejected),
		cmocka_unit_test(minimal_data_header_gives_ids_and_payload),
		cmocka_unit_test(data_header_with_length_sequence_and_offset),
		cmocka_unit_test(data_offset_past_frame_is_rejected),
		cmocka_unit_test(data_header_truncated_is_rejected),
		cmocka_unit_test(control_message_given_to_data_parser_is_rejected),
		cmocka_unit_test(data_header_writer_round_trips),
		cmocka_unit_test(windows_sccrq_decodes),
		cmocka_unit_test(xl2tpd_sccrq_with_bearer_caps_and_tie_breaker_decodes),
		cmocka_unit_test(zlb_has_no_avps),
		cmocka_unit_test(avp_header_past_end_is_truncated),
		cmocka_unit_test(avp_length_below_six_is_rejected),
		cmocka_unit_test(avp_length_past_end_is_rejected),
		cmocka_unit_test(first_avp_must_be_message_type),
		cmocka_unit_test(unknown_message_type_with_m_bit_is_fatal),
		cmocka_unit_test(unknown_optional_avp_is_skipped),
		cmocka_unit_test(unknown_mandatory_avp_is_reported_with_fields_kept),
		cmocka_unit_test(vendor_avp_is_skipped_by_length),
		cmocka_unit_test(vendor_avp_with_m_bit_is_unknown_mandatory),
		cmocka_unit_test(reserved_avp_bit_makes_avp_unrecognized),
		cmocka_unit_test(missing_mandatory_avp_is_named),
		cmocka_unit_test(duplicate_avp_is_rejected),
		cmocka_unit_test(known_avp_of_wrong_size_is_rejected),
		cmocka_unit_test(result_code_with_error_and_message_decodes),
		cmocka_unit_test(hiding_matches_hand_computed_vectors),
		cmocka_unit_test(hidden_avps_decode_to_hand_computed_plaintext),
		cmocka_unit_test(encoder_hides_what_it_is_asked_to),
		cmocka_unit_test(hidden_avp_without_secret_is_rejected),
		cmocka_unit_test(hidden_avp_without_random_vector_is_rejected),
		cmocka_unit_test(hidden_avp_with_wrong_secret_fails_length_check),
		cmocka_unit_test(hidden_message_type_or_random_vector_is_forbidden),
		cmocka_unit_test(hidden_avp_shorter_than_length_field_is_rejected),
		cmocka_unit_test(challenge_response_matches_hand_computed_vector),
		cmocka_unit_test(every_message_type_round_trips_with_all_its_avps),
		cmocka_unit_test(every_message_type_round_trips_hidden),
		cmocka_unit_test(minimal_messages_carry_only_mandatory_avps),
		cmocka_unit_test(encoder_fails_cleanly_when_buffer_is_small),
		cmocka_unit_test(every_reason_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

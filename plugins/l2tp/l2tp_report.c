/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_report.h"

#include <daemon.h>
#include <credentials/auth_cfg.h>

/** L2TP's well-known UDP port (RFC 2661 section 8.1). */
#define L2TP_PORT 1701

/**
 * See header
 */
bool l2tp_report_is_l2tp(child_sa_t *child_sa)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	bool found = FALSE;

	if (child_sa->get_mode(child_sa) != MODE_TRANSPORT)
	{
		return FALSE;
	}
	enumerator = child_sa->create_ts_enumerator(child_sa, TRUE);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts->get_protocol(ts) == IPPROTO_UDP &&
			ts->get_from_port(ts) <= L2TP_PORT &&
			ts->get_to_port(ts) >= L2TP_PORT)
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Put a host's address (not its port).
 */
static void put_host(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a,
					 host_t *host)
{
	chunk_t addr;

	if (!host)
	{
		return;
	}
	addr = host->get_address(host);
	if (addr.len == 4 || addr.len == 16)
	{
		l2tp_ipsec_put_addr(w, a, addr.len == 4 ? 4 : 6, addr.ptr);
	}
}

/**
 * Put an identity as text, as swanctl --list-sas shows it.
 */
static void put_id(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a,
				   identification_t *id)
{
	char buf[L2TP_IPSEC_STR_MAX + 1];

	if (id && id->get_type(id) != ID_ANY)
	{
		snprintf(buf, sizeof(buf), "%Y", id);
		l2tp_ipsec_put_str(w, a, buf);
	}
}

/**
 * The peer's certificate, if it authenticated with one.
 */
static void put_peer_cert(struct l2tp_ipsec_writer *w, ike_sa_t *ike_sa)
{
	enumerator_t *enumerator;
	auth_cfg_t *auth;
	certificate_t *cert;

	enumerator = ike_sa->create_auth_cfg_enumerator(ike_sa, FALSE);
	while (enumerator->enumerate(enumerator, &auth))
	{
		cert = auth->get(auth, AUTH_RULE_SUBJECT_CERT);
		if (cert)
		{
			put_id(w, L2TP_IPSEC_A_CERT_SUBJECT, cert->get_subject(cert));
			put_id(w, L2TP_IPSEC_A_CERT_ISSUER, cert->get_issuer(cert));
			break;
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Copy the finished message out of the writer.
 */
static chunk_t finish(struct l2tp_ipsec_writer *w)
{
	size_t len = l2tp_ipsec_end(w);

	if (!len)
	{
		DBG1(DBG_CFG, "l2tp: message for l2tpd too long, not sent");
		return chunk_empty;
	}
	return chunk_clone(chunk_create(w->buf, len));
}

/**
 * See header
 */
chunk_t l2tp_report_ike(ike_sa_t *ike_sa, bool up, ike_sa_t *old)
{
	u_char buf[L2TP_IPSEC_MSG_MAX];
	struct l2tp_ipsec_writer w;
	host_t *other, *me;

	l2tp_ipsec_begin(&w, buf, sizeof(buf),
					 up ? L2TP_IPSEC_IKE_UP : L2TP_IPSEC_IKE_DOWN);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike_sa->get_unique_id(ike_sa));
	if (up)
	{
		other = ike_sa->get_other_host(ike_sa);
		me = ike_sa->get_my_host(ike_sa);
		put_host(&w, L2TP_IPSEC_A_PEER_ADDR, other);
		l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_PEER_PORT, other->get_port(other));
		put_host(&w, L2TP_IPSEC_A_LOCAL_ADDR, me);
		l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_LOCAL_PORT, me->get_port(me));
		l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_IKE_VERSION,
						  ike_sa->get_version(ike_sa) == IKEV1 ? 1 : 2);
		put_id(&w, L2TP_IPSEC_A_LOCAL_ID, ike_sa->get_my_id(ike_sa));
		put_id(&w, L2TP_IPSEC_A_REMOTE_ID, ike_sa->get_other_id(ike_sa));
		put_peer_cert(&w, ike_sa);
		l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_NAME, ike_sa->get_name(ike_sa));
		if (old)
		{
			l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_OLD_IKE_ID,
							   old->get_unique_id(old));
		}
	}
	return finish(&w);
}

/**
 * See header
 */
chunk_t l2tp_report_child(ike_sa_t *ike_sa, child_sa_t *child_sa, bool up)
{
	u_char buf[L2TP_IPSEC_MSG_MAX];
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf),
					 up ? L2TP_IPSEC_CHILD_UP : L2TP_IPSEC_CHILD_DOWN);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike_sa->get_unique_id(ike_sa));
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_CHILD_ID,
					   child_sa->get_unique_id(child_sa));
	if (up)
	{
		/* the L2TP datagrams come from the IKE peer's address (with
		 * NAT-T: the NAT's), inside ESP */
		put_host(&w, L2TP_IPSEC_A_PEER_ADDR, ike_sa->get_other_host(ike_sa));
		l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_IN,
						   child_sa->get_mark(child_sa, TRUE).value);
		l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_OUT,
						   child_sa->get_mark(child_sa, FALSE).value);
		l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_ENCAP,
						  child_sa->has_encap(child_sa) ? 1 : 0);
		l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_NAME, child_sa->get_name(child_sa));
	}
	return finish(&w);
}

/**
 * See header
 */
chunk_t l2tp_report_simple(enum l2tp_ipsec_type type)
{
	u_char buf[256];
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), type);
	if (type == L2TP_IPSEC_HELLO)
	{
		l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_SOFTWARE,
						   "strongSwan " VERSION " l2tp plugin");
	}
	return finish(&w);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup l2tp_report l2tp_report
 * @{ @ingroup l2tp
 *
 * Builds the messages describing IKE_SAs and CHILD_SAs for l2tpd
 * (l2tp_ipsec_msg.h). Used by the listener (events) and by the socket
 * (replay after a connect).
 */

#ifndef L2TP_REPORT_H_
#define L2TP_REPORT_H_

#include <sa/ike_sa.h>
#include <sa/child_sa.h>

#include "l2tp_ipsec_msg.h"

/**
 * Does this CHILD_SA carry L2TP: transport mode, UDP/1701 on our side?
 */
bool l2tp_report_is_l2tp(child_sa_t *child_sa);

/**
 * IKE_UP (with old as OLD_IKE_ID when rekeyed, else NULL) or IKE_DOWN.
 *
 * @return		allocated message, chunk_empty on error
 */
chunk_t l2tp_report_ike(ike_sa_t *ike_sa, bool up, ike_sa_t *old);

/**
 * CHILD_UP or CHILD_DOWN.
 *
 * @return		allocated message, chunk_empty on error
 */
chunk_t l2tp_report_child(ike_sa_t *ike_sa, child_sa_t *child_sa, bool up);

/**
 * A message without attributes (HELLO carries the software name).
 */
chunk_t l2tp_report_simple(enum l2tp_ipsec_type type);

#endif /** L2TP_REPORT_H_ @}*/

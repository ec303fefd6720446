/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fixture: policy's private header */

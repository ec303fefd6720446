/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parser of the swanctl.conf syntax (strongSwan's settings grammar, the
 * subset documented in docs/policy.md). Hand-written over a bounds-checked
 * reader: every error says file:line:col, what was expected and what was
 * found.
 */
#include "conf.h"
#include "conf_reader.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fnv.h"

/* A file being read: the chain of includes, innermost first. */
struct open_file {
	dev_t dev;
	ino_t ino;
	const char *path;
	const struct open_file *outer;
};

struct parser {
	struct arena *a;
	const struct conf_opts *opts;
	struct policy_error *err;
	unsigned include_depth;
	const struct open_file *open;	/* include loop detection */
};

void conf_set_error(struct policy_error *err, enum policy_errcode code,
		    const char *file, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->col = col;
	int off = line ? snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ",
				  err->file, line, col)
		       : snprintf(err->msg, sizeof(err->msg), "%s: ", err->file);
	if (off < 0)
		off = 0;
	size_t room = sizeof(err->msg) - (size_t)off - 1;
	size_t tl = strlen(text);
	if (tl > room)
		tl = room;
	memcpy(err->msg + off, text, tl);
	err->msg[(size_t)off + tl] = '\0';
}

/* "'x'", "end of line", "end of file", "byte 0x01" for messages. */
static const char *describe(int c, char *buf, size_t len)
{
	if (c < 0)
		return "end of file";
	if (c == '\n' || c == '\r')
		return "end of line";
	if (c < 0x20 || c == 0x7f || c >= 0x80)
		snprintf(buf, len, "byte 0x%02x", c);
	else if (c == '\'')
		snprintf(buf, len, "\"'\"");
	else
		snprintf(buf, len, "'%c'", c);
	return buf;
}

static int syntax(struct parser *P, const char *file, const struct rd *r,
		  const char *expected)
{
	char b[16];
	int c = rd_peek(r);

	conf_set_error(P->err, POLICY_ERR_SYNTAX, file, r->line, r->col,
		       "expected %s, got %s", expected, describe(c, b, sizeof(b)));
	return -1;
}

static bool is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '@' || c == '+' || c == '$';
}

/* Control bytes are refused everywhere: they are never meant, and a NUL
 * would cut strings short downstream. */
static bool is_bad_byte(int c)
{
	return c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
	       c == 0x7f;
}

static int check_byte(struct parser *P, const char *file, const struct rd *r)
{
	char b[16];
	int c = rd_peek(r);

	if (c >= 0 && is_bad_byte(c)) {
		conf_set_error(P->err, POLICY_ERR_BYTE, file, r->line, r->col,
			       "expected text, got %s", describe(c, b, sizeof(b)));
		return -1;
	}
	return 0;
}

static void skip_blanks(struct rd *r)
{
	int c;

	while ((c = rd_peek(r)) == ' ' || c == '\t' || c == '\r')
		rd_get(r);
}

static void skip_comment(struct rd *r)
{
	int c;

	while ((c = rd_peek(r)) >= 0 && c != '\n')
		rd_get(r);
}

/* ---- tree ---------------------------------------------------------------- */

static uint32_t hash_name(const char *s)
{
	return fnv1a32_str(FNV32_OFFSET, s);	/* configuration names */
}

static int index_insert(struct conf_node *sec, uint32_t pos)
{
	uint32_t mask = sec->index_cap - 1;
	uint32_t h = hash_name(sec->child[pos]->name) & mask;

	while (sec->index[h])
		h = (h + 1) & mask;
	sec->index[h] = pos + 1;
	return 0;
}

static int index_rebuild(struct arena *a, struct conf_node *sec)
{
	uint32_t cap = 16;

	while (cap < sec->n_child * 2 + 2)
		cap *= 2;
	sec->index = arena_alloc(a, cap * sizeof(uint32_t));
	if (!sec->index)
		return -1;
	sec->index_cap = cap;
	for (uint32_t i = 0; i < sec->n_child; i++)
		index_insert(sec, i);
	return 0;
}

struct conf_node *conf_find(const struct conf_node *sec, const char *name)
{
	if (!sec || sec->kind != CONF_SECTION)
		return NULL;
	if (!sec->index) {
		for (uint32_t i = 0; i < sec->n_child; i++)
			if (strcmp(sec->child[i]->name, name) == 0)
				return sec->child[i];
		return NULL;
	}
	uint32_t mask = sec->index_cap - 1;
	for (uint32_t h = hash_name(name) & mask; sec->index[h]; h = (h + 1) & mask) {
		struct conf_node *n = sec->child[sec->index[h] - 1];
		if (strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}

static int add_child(struct arena *a, struct conf_node *sec, struct conf_node *n)
{
	if (sec->n_child == sec->cap_child) {
		uint32_t cap = sec->cap_child ? sec->cap_child * 2 : 8;
		struct conf_node **c = arena_alloc(a, cap * sizeof(*c));
		if (!c || cap < sec->cap_child)
			return -1;
		if (sec->n_child)
			memcpy(c, sec->child, sec->n_child * sizeof(*c));
		sec->child = c;
		sec->cap_child = cap;
	}
	sec->child[sec->n_child++] = n;
	if (sec->n_child > 8) {
		if (!sec->index || sec->n_child * 2 + 2 > sec->index_cap)
			return index_rebuild(a, sec);
		index_insert(sec, sec->n_child - 1);
	}
	return 0;
}

static struct conf_node *new_node(struct arena *a, enum conf_kind kind,
				  const char *name, const char *file,
				  unsigned line, unsigned col)
{
	struct conf_node *n = arena_alloc(a, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->name = name;
	n->file = file;
	n->line = line;
	n->col = col;
	return n;
}

static int nomem(struct parser *P, const char *file)
{
	conf_set_error(P->err, POLICY_ERR_NOMEM, file, 0, 0, "out of memory");
	return -1;
}

/* ---- lexing ---------------------------------------------------------------- */

/* Growable scratch buffer for one token. */
struct tok {
	char *s;
	size_t n, cap;
};

static int tok_put(struct tok *t, char c)
{
	if (t->n + 1 >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *s = realloc(t->s, cap);
		if (!s)
			return -1;
		t->s = s;
		t->cap = cap;
	}
	t->s[t->n++] = c;
	t->s[t->n] = '\0';
	return 0;
}

/* A quoted string: '"' ... '"', escapes \" \\ \n \t. On the opening quote. */
static int read_quoted(struct parser *P, const char *file, struct rd *r,
		       struct tok *t)
{
	unsigned line = r->line, col = r->col;
	char b[16];
	int c;

	rd_get(r);	/* '"' */
	for (;;) {
		if (check_byte(P, file, r))
			return -1;
		c = rd_peek(r);
		if (c < 0 || c == '\n') {
			conf_set_error(P->err, POLICY_ERR_STRING, file, r->line, r->col,
				       "expected '\"' to close the string opened at %u:%u, got %s",
				       line, col, describe(c, b, sizeof(b)));
			return -1;
		}
		rd_get(r);
		if (c == '"')
			return 0;
		if (c == '\\') {
			int e = rd_peek(r);
			switch (e) {
			case '"': case '\\': c = e; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			default:
				conf_set_error(P->err, POLICY_ERR_STRING, file, r->line, r->col,
					       "expected an escape (\\\" \\\\ \\n \\t), got %s",
					       describe(e, b, sizeof(b)));
				return -1;
			}
			rd_get(r);
		}
		if (tok_put(t, (char)c))
			return nomem(P, file);
	}
}

/* A section or key name: bare [A-Za-z0-9_.@+$-]+ or a quoted string. */
static int read_name(struct parser *P, const char *file, struct rd *r,
		     struct tok *t)
{
	t->n = 0;
	if (rd_peek(r) == '"') {
		if (read_quoted(P, file, r, t))
			return -1;
		if (t->n == 0) {
			conf_set_error(P->err, POLICY_ERR_SYNTAX, file, r->line, r->col,
				       "expected a name, got an empty string");
			return -1;
		}
		return 0;
	}
	while (is_name_char(rd_peek(r)))
		if (tok_put(t, (char)rd_get(r)))
			return nomem(P, file);
	if (t->n == 0)
		return syntax(P, file, r, "a name");
	return 0;
}

static bool ends_value(int c)
{
	return c < 0 || c == '\n' || c == '#' || c == '}';
}

/* Items after '=': item {',' item}; an empty value is allowed. */
static int read_value(struct parser *P, const char *file, struct rd *r,
		      struct conf_node *n)
{
	struct conf_item tmp[64];
	struct conf_item *items = tmp;
	size_t cap = 64, count = 0;
	struct tok t = {0};
	int rc = -1;

	skip_blanks(r);
	if (ends_value(rd_peek(r)))
		goto done;
	for (;;) {
		struct conf_item it = {0};
		int c;

		skip_blanks(r);
		if (check_byte(P, file, r))
			goto out;
		it.line = r->line;
		it.col = r->col;
		if (rd_peek(r) == '~') {
			rd_get(r);
			it.pattern = true;
			skip_blanks(r);
		}
		t.n = 0;
		if (tok_put(&t, 0))	/* allocate, keep empty */
			goto oom;
		t.n = 0;
		c = rd_peek(r);
		if (c == '"') {
			if (read_quoted(P, file, r, &t))
				goto out;
			it.quoted = true;
		} else {
			if (c == ',' || ends_value(c)) {
				syntax(P, file, r, "a value");
				goto out;
			}
			while (!ends_value(c = rd_peek(r)) && c != ',') {
				if (check_byte(P, file, r))
					goto out;
				if (c == '"') {
					syntax(P, file, r, "',' or end of line (quote the whole value)");
					goto out;
				}
				if (tok_put(&t, (char)rd_get(r)))
					goto oom;
			}
			while (t.n && (t.s[t.n - 1] == ' ' || t.s[t.n - 1] == '\t' ||
				       t.s[t.n - 1] == '\r'))
				t.s[--t.n] = '\0';
		}
		it.text = arena_strndup(P->a, t.s, t.n);
		if (!it.text)
			goto oom;
		it.len = (uint32_t)t.n;
		if (count == cap) {
			struct conf_item *bigger = malloc(cap * 2 * sizeof(*bigger));
			if (!bigger)
				goto oom;
			memcpy(bigger, items, count * sizeof(*items));
			if (items != tmp)
				free(items);
			items = bigger;
			cap *= 2;
		}
		items[count++] = it;
		skip_blanks(r);
		c = rd_peek(r);
		if (c == ',') {
			rd_get(r);
			continue;
		}
		if (ends_value(c))
			break;
		syntax(P, file, r, "',' or end of line");
		goto out;
	}
done:
	n->items = arena_alloc(P->a, (count ? count : 1) * sizeof(*items));
	if (!n->items)
		goto oom;
	if (count)
		memcpy(n->items, items, count * sizeof(*items));
	n->n_items = (uint32_t)count;
	rc = 0;
	goto out;
oom:
	nomem(P, file);
out:
	if (items != tmp)
		free(items);
	free(t.s);
	return rc;
}

/* ---- statements -------------------------------------------------------------- */

static int parse_block(struct parser *P, const char *file, struct rd *r,
		       struct conf_node *sec, unsigned depth, bool nested,
		       unsigned open_line, unsigned open_col);

static bool has_glob_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int read_file(struct parser *P, const char *path, char **buf,
		     size_t *len, const char *from, unsigned line, unsigned col)
{
	size_t max = P->opts && P->opts->max_file_size ? P->opts->max_file_size
						       : CONF_DEFAULT_MAX_FILE;
	struct stat st;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) != 0) {
		int e = errno;
		if (f)
			fclose(f);
		conf_set_error(P->err, from ? POLICY_ERR_INCLUDE : POLICY_ERR_IO,
			       from ? from : path, line, col,
			       "cannot open '%s': %s", path, strerror(e));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		fclose(f);
		conf_set_error(P->err, from ? POLICY_ERR_INCLUDE : POLICY_ERR_IO,
			       from ? from : path, line, col,
			       S_ISREG(st.st_mode) ? "'%s' is larger than the limit"
						   : "'%s' is not a regular file",
			       path);
		return -1;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		fclose(f);
		return nomem(P, path);
	}
	n = fread(*buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		fclose(f);
		free(*buf);
		conf_set_error(P->err, POLICY_ERR_IO, path, 0, 0, "read error");
		return -1;
	}
	fclose(f);
	*len = n;
	return 0;
}

static int parse_file_into(struct parser *P, const char *path,
			   struct conf_node *sec, unsigned depth,
			   const char *from, unsigned line, unsigned col)
{
	struct open_file self = { .path = path, .outer = P->open };
	struct stat st;
	struct rd r;
	char *buf;
	size_t len;
	const char *name;
	int rc;

	/* the same file (by device and inode, whatever the path) already
	 * being read: an include loop, reported as one */
	if (stat(path, &st) == 0) {
		self.dev = st.st_dev;
		self.ino = st.st_ino;
		for (const struct open_file *o = P->open; o; o = o->outer) {
			if (o->dev != st.st_dev || o->ino != st.st_ino)
				continue;
			char chain[400];
			size_t off = 0;
			/* innermost first: "c.conf <- b.conf <- a.conf" */
			for (const struct open_file *q = P->open; q && off < sizeof(chain); q = q->outer) {
				int n = snprintf(chain + off, sizeof(chain) - off, "%s%s",
						 off ? " <- " : "", q->path);
				if (n < 0)
					break;
				off += (size_t)n;
				if (q == o)
					break;
			}
			conf_set_error(P->err, POLICY_ERR_INCLUDE, from ? from : path, line, col,
				       "include loop: '%s' is already being read (included by %s)",
				       path, chain);
			return -1;
		}
	}
	if (read_file(P, path, &buf, &len, from, line, col))
		return -1;
	name = arena_strdup(P->a, path);
	if (!name) {
		free(buf);
		return nomem(P, path);
	}
	self.path = name;
	P->open = &self;
	rd_init(&r, buf, len);
	rc = parse_block(P, name, &r, sec, depth, false, 0, 0);
	P->open = self.outer;
	free(buf);
	return rc;
}

/* include PATTERN: each match, in sorted order, parsed into `sec`; relative
 * patterns resolve against the directory of the including file (as in
 * strongSwan). A glob that matches nothing is fine; a plain name must exist. */
static int do_include(struct parser *P, const char *file, unsigned line,
		      unsigned col, const char *pattern, struct conf_node *sec,
		      unsigned depth)
{
	unsigned max = P->opts && P->opts->max_include_depth
			       ? P->opts->max_include_depth
			       : CONF_DEFAULT_INCLUDE_DEPTH;
	char path[4096];
	glob_t g;
	int rc = 0, grc;

	if (P->opts && P->opts->no_include) {
		conf_set_error(P->err, POLICY_ERR_INCLUDE, file, line, col,
			       "include is disabled here");
		return -1;
	}
	if (P->include_depth >= max) {
		conf_set_error(P->err, POLICY_ERR_NESTING, file, line, col,
			       "includes nested deeper than %u", max);
		return -1;
	}
	if (pattern[0] == '/') {
		snprintf(path, sizeof(path), "%s", pattern);
	} else {
		const char *slash = strrchr(file, '/');
		int dirlen = slash ? (int)(slash - file) : 1;
		snprintf(path, sizeof(path), "%.*s/%s", dirlen,
			 slash ? file : ".", pattern);
	}
	grc = glob(path, GLOB_ERR, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		if (has_glob_magic(pattern))
			return 0;
		conf_set_error(P->err, POLICY_ERR_INCLUDE, file, line, col,
			       "include '%s': no such file", path);
		return -1;
	}
	if (grc != 0) {
		conf_set_error(P->err, POLICY_ERR_INCLUDE, file, line, col,
			       "include '%s': cannot expand the pattern", path);
		return -1;
	}
	P->include_depth++;
	for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
		rc = parse_file_into(P, g.gl_pathv[i], sec, depth, file, line, col);
	P->include_depth--;
	globfree(&g);
	return rc;
}

/* `include` is a statement when not followed by '=' or '{'. */
static int statement(struct parser *P, const char *file, struct rd *r,
		     struct conf_node *sec, unsigned depth, struct tok *t)
{
	unsigned line = r->line, col = r->col;
	bool quoted = rd_peek(r) == '"';
	struct conf_node *n;
	char b[16];
	int c;

	if (read_name(P, file, r, t))
		return -1;
	skip_blanks(r);
	if (check_byte(P, file, r))
		return -1;
	c = rd_peek(r);
	if (!quoted && strcmp(t->s, "include") == 0 && c != '=' && c != '{') {
		struct conf_node tmp = {0};
		if (read_value(P, file, r, &tmp))
			return -1;
		if (tmp.n_items != 1 || tmp.items[0].pattern) {
			conf_set_error(P->err, POLICY_ERR_SYNTAX, file, line, col,
				       "expected one file name or pattern after 'include'");
			return -1;
		}
		return do_include(P, file, line, col, tmp.items[0].text, sec, depth);
	}
	if (c != '=' && c != '{') {
		conf_set_error(P->err, POLICY_ERR_SYNTAX, file, r->line, r->col,
			       "expected '=' or '{' after '%s', got %s", t->s,
			       describe(c, b, sizeof(b)));
		return -1;
	}
	rd_get(r);
	n = conf_find(sec, t->s);
	if (c == '{') {
		if (depth + 1 >= CONF_MAX_NESTING) {
			conf_set_error(P->err, POLICY_ERR_NESTING, file, line, col,
				       "sections nested deeper than %d", CONF_MAX_NESTING);
			return -1;
		}
		if (n && n->kind != CONF_SECTION) {
			conf_set_error(P->err, POLICY_ERR_DUPLICATE, file, line, col,
				       "'%s' is a section here but a value at %s:%u:%u",
				       t->s, n->file, n->line, n->col);
			return -1;
		}
		if (!n) {	/* sections of the same name merge, as in strongSwan */
			char *name = arena_strndup(P->a, t->s, t->n);
			n = name ? new_node(P->a, CONF_SECTION, name, file, line, col) : NULL;
			if (!n || add_child(P->a, sec, n))
				return nomem(P, file);
		}
		return parse_block(P, file, r, n, depth + 1, true, line, col);
	}
	if (n) {
		conf_set_error(P->err, POLICY_ERR_DUPLICATE, file, line, col,
			       "'%s' is already defined at %s:%u:%u", t->s,
			       n->file, n->line, n->col);
		return -1;
	}
	{
		char *name = arena_strndup(P->a, t->s, t->n);
		n = name ? new_node(P->a, CONF_VALUE, name, file, line, col) : NULL;
		if (!n)
			return nomem(P, file);
		if (read_value(P, file, r, n))
			return -1;
		if (add_child(P->a, sec, n))
			return nomem(P, file);
	}
	return 0;
}

/* The statement loop of one file or one section (`nested`: ends at '}'). */
static int parse_block(struct parser *P, const char *file, struct rd *r,
		       struct conf_node *sec, unsigned depth, bool nested,
		       unsigned open_line, unsigned open_col)
{
	struct tok t = {0};
	int rc = -1;

	for (;;) {
		int c;

		skip_blanks(r);
		if (check_byte(P, file, r))
			goto out;
		c = rd_peek(r);
		if (c < 0) {
			if (nested) {
				char b[16];
				conf_set_error(P->err, POLICY_ERR_SYNTAX, file, r->line, r->col,
					       "expected '}' to close section '%s' opened at %u:%u, got %s",
					       sec->name, open_line, open_col,
					       describe(c, b, sizeof(b)));
				goto out;
			}
			break;
		}
		if (c == '\n') {
			rd_get(r);
			continue;
		}
		if (c == '#') {
			skip_comment(r);
			continue;
		}
		if (c == '}') {
			if (nested) {
				rd_get(r);
				break;
			}
			syntax(P, file, r, "a key, a section or 'include'");
			goto out;
		}
		if (!is_name_char(c) && c != '"') {
			syntax(P, file, r, "a key, a section or 'include'");
			goto out;
		}
		if (statement(P, file, r, sec, depth, &t))
			goto out;
	}
	rc = 0;
out:
	free(t.s);
	return rc;
}

static int begin(struct arena *a, struct conf_node **root,
		 struct policy_error *err)
{
	*root = new_node(a, CONF_SECTION, "", "", 0, 0);
	if (!*root) {
		conf_set_error(err, POLICY_ERR_NOMEM, "", 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

int conf_parse_file(struct arena *a, const char *path,
		    const struct conf_opts *opts, struct conf_node **root,
		    struct policy_error *err)
{
	struct parser P = { .a = a, .opts = opts, .err = err };

	if (begin(a, root, err))
		return -1;
	return parse_file_into(&P, path, *root, 0, NULL, 0, 0);
}

int conf_parse_buffer(struct arena *a, const char *name, const void *buf,
		      size_t len, const struct conf_opts *opts,
		      struct conf_node **root, struct policy_error *err)
{
	struct parser P = { .a = a, .opts = opts, .err = err };
	const char *fname;
	struct rd r;

	if (begin(a, root, err))
		return -1;
	fname = arena_strdup(a, name ? name : "<buffer>");
	if (!fname)
		return nomem(&P, name);
	rd_init(&r, buf ? buf : "", buf ? len : 0);
	return parse_block(&P, fname, &r, *root, 0, false, 0, 0);
}

/*
 * dtree.c - libyaml events to a tree of nodes with positions.
 *
 * Every node is attached to its parent (or becomes a document root) as soon
 * as it is made, so on any error freeing the roots frees everything.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dtree.h"
#include "xmalloc.h"

static struct dnode *
node_new(enum dnode_kind kind, const yaml_mark_t *m)
{
	struct dnode *n;

	n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static void
node_free(struct dnode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static void
node_add(struct dnode *parent, struct dnode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 8;
		parent->kids = xreallocarray(parent->kids, parent->cap,
		    sizeof(*parent->kids));
	}
	parent->kids[parent->n++] = kid;
}

void
dtree_release(struct dstream *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		node_free(s->docs[i]);
	free(s->docs);
	s->docs = NULL;
	s->n = 0;
}

/*
 * libyaml's reader reports a byte offset only (bad UTF-8, control
 * characters); turn it into a line and a column like the other marks.
 */
static void
offset_mark(const char *text, size_t len, size_t off, unsigned *line,
    unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			++*col;
	}
}

static enum rr_err
syntax_error(const char *name, const yaml_parser_t *p, const char *text,
    size_t len)
{
	unsigned line, col;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return rr_seterr(RR_ERR_INTERNAL, "%s: libyaml out of memory",
		    name);
	case YAML_READER_ERROR:
		offset_mark(text, len, p->problem_offset, &line, &col);
		return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s", name, line, col,
		    problem);
	default:
		break;
	}
	line = (unsigned)p->problem_mark.line + 1;
	col = (unsigned)p->problem_mark.column + 1;
	if (p->context != NULL)
		return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s (%s at %u:%u)",
		    name, line, col, problem, p->context,
		    (unsigned)p->context_mark.line + 1,
		    (unsigned)p->context_mark.column + 1);
	return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s", name, line, col,
	    problem);
}

/* Anchors, aliases and tags are refused: the format has no use for them. */
static enum rr_err
refuse_props(const char *name, const yaml_event_t *ev,
    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	unsigned line = (unsigned)ev->start_mark.line + 1;
	unsigned col = (unsigned)ev->start_mark.column + 1;

	if (anchor != NULL)
		return rr_seterr(RR_ERR_PARSE,
		    "%s:%u:%u: anchors are not supported ('&%.64s')", name,
		    line, col, (const char *)anchor);
	if (tag != NULL)
		return rr_seterr(RR_ERR_PARSE,
		    "%s:%u:%u: tags are not supported ('%.64s')", name, line,
		    col, (const char *)tag);
	return RR_OK;
}

enum rr_err
dtree_load(const char *name, const char *text, size_t len, struct dstream *s)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct dnode *stack[DTREE_MAX_DEPTH];
	struct dnode *doc = NULL, *n;
	size_t depth = 0;
	int done = 0, have_ev = 0;
	enum rr_err rc = RR_ERR_PARSE;

	s->docs = NULL;
	s->n = 0;
	if (!yaml_parser_initialize(&p))
		return rr_seterr(RR_ERR_INTERNAL, "%s: libyaml init failed",
		    name);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);

	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = syntax_error(name, &p, text, len);
			goto out;
		}
		have_ev = 1;
		n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (doc != NULL) {
				s->docs = xreallocarray(s->docs, s->n + 1,
				    sizeof(*s->docs));
				s->docs[s->n++] = doc;
				doc = NULL;
			}
			break;
		case YAML_ALIAS_EVENT:
			rc = rr_seterr(RR_ERR_PARSE,
			    "%s:%u:%u: aliases are not supported ('*%.64s')",
			    name, (unsigned)ev.start_mark.line + 1,
			    (unsigned)ev.start_mark.column + 1,
			    (const char *)ev.data.alias.anchor);
			goto out;
		case YAML_SCALAR_EVENT:
			if ((rc = refuse_props(name, &ev, ev.data.scalar.anchor,
			    ev.data.scalar.tag)) != RR_OK)
				goto out;
			n = node_new(DN_SCALAR, &ev.start_mark);
			n->len = ev.data.scalar.length;
			n->text = xmalloc(n->len + 1);
			memcpy(n->text, ev.data.scalar.value, n->len);
			n->text[n->len] = '\0';
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			break;
		case YAML_SEQUENCE_START_EVENT:
			if ((rc = refuse_props(name, &ev,
			    ev.data.sequence_start.anchor,
			    ev.data.sequence_start.tag)) != RR_OK)
				goto out;
			n = node_new(DN_SEQ, &ev.start_mark);
			break;
		case YAML_MAPPING_START_EVENT:
			if ((rc = refuse_props(name, &ev,
			    ev.data.mapping_start.anchor,
			    ev.data.mapping_start.tag)) != RR_OK)
				goto out;
			n = node_new(DN_MAP, &ev.start_mark);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n != NULL) {
			if (depth == 0) {
				node_free(doc);		/* cannot happen */
				doc = n;
			} else
				node_add(stack[depth - 1], n);
			if (n->kind != DN_SCALAR) {
				if (depth == DTREE_MAX_DEPTH) {
					rc = rr_seterr(RR_ERR_PARSE,
					    "%s:%u:%u: nesting deeper than %d "
					    "levels", name, n->line, n->col,
					    DTREE_MAX_DEPTH);
					goto out;
				}
				stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
		have_ev = 0;
	}
	rc = RR_OK;
out:
	if (have_ev)
		yaml_event_delete(&ev);
	if (rc != RR_OK) {
		node_free(doc);
		dtree_release(s);
	}
	yaml_parser_delete(&p);
	return rc;
}

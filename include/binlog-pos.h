/*
 * binlog-pos.h - binary log coordinates: one type, one parser, one order,
 * for the planner and the db layer alike (src/util/binlog-pos.c).
 *
 * MySQL and MariaDB name binlog files BASENAME.NNNNNN and roll to the next
 * number (MySQL Reference Manual, "The Binary Log"; SHOW BINARY LOGS), so
 * files order by that number, not by their text: "mysql-bin.1000000"
 * comes after "mysql-bin.999999".
 */
#ifndef RR_BINLOG_POS_H
#define RR_BINLOG_POS_H

#include <stdint.h>

/* A binlog position: (file, pos); file "" when unknown. */
struct binlog_pos {
	char file[128]; /* e.g. "mysql-bin-changelog.000012" */
	uint64_t pos;   /* byte offset in that file */
};

/*
 * Fill *p from a file name and a decimal position as SHOW MASTER STATUS or
 * SHOW REPLICA STATUS return them (text columns).  A NULL column
 * (unknown) is taken as "" and 0.  Returns 0, or -1 with rr_lasterr() set
 * when the name is 128 bytes or longer or pos is not a plain decimal
 * number.
 */
int binlog_pos_parse(struct binlog_pos *p, const char *file, const char *pos);

/* The same from a file name (NULL: "") and a numeric position. */
int binlog_pos_set(struct binlog_pos *p, const char *file, uint64_t pos);

/*
 * Order two coordinates, <0, 0, >0 like strcmp: by the numeric value of
 * the files' suffixes when both have one (any number of digits), then by
 * the file names (so two basenames with one number still order, the same
 * way every time), then by pos.  A file without a numeric suffix,
 * including "" (unknown), orders by name only: "" comes first.
 */
int binlog_pos_cmp(const struct binlog_pos *a, const struct binlog_pos *b);

#endif

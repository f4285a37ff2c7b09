/*
 * observed_json.h - struct observed (observe.h) as JSON, both ways.
 *
 * Used by the planner's table tests (tests/plan/<case>/observed.json) to
 * build observations by hand, and by status/diff --output json to print
 * one.  Every field has a stable name: the snake_case C field name, with
 * the sub-structs as nested objects:
 *
 *   {
 *     "now": "2026-11-22T04:00:00Z",        (or epoch seconds, an integer)
 *     "source": { "exists": true, "ours": false, "status": "available",
 *                 "engine": "mysql", "sg_ids": ["sg-1", "sg-2"],
 *                 "tagged_pos": { "file": "mysql-bin.000003", "pos": 4 },
 *                 ... },
 *     "temp": {...}, "target": {...},          struct obs_instance
 *     "freeze": {...}, "copy": {...},          struct obs_snapshot
 *     "key": {...}, "record": {...},
 *     "target_pg_exists": true, "target_pg_ours": true,
 *     "target_pg_read_only": "yes", "source_pg_read_only": "no",
 *     "change_status": "INSYNC",
 *     "srcdb": { "reachable": "yes", "log_bin": "yes",
 *                "binlog_format": "ROW",
 *                "binlog": { "file": "mysql-bin.000003", "pos": 1234 },
 *                ... },
 *     "temprepl": {...}, "tgtrepl": {...},     struct obs_replication
 *     "repl_password_stored": true, "approved": false, "postponed": false
 *   }
 *
 * Types: flags (exists, ours, encrypted, ...) are JSON booleans; counts,
 * ports and positions integers; enum tri is "yes", "no" or "unknown"
 * (true, false and null are accepted on input); sg_ids an array of at most
 * 8 strings (n_sg is its length; kept sorted, as observe() does); a
 * binlog_pos an object {"file", "pos"}; now a UTC RFC 3339 time
 * "YYYY-MM-DDTHH:MM:SSZ" (output) or that or epoch seconds (input).
 *
 * Input defaults, for every key that is absent (at any level): flags,
 * counts and strings 0/false/""; enum tri fields TRI_UNKNOWN; the "NULL"
 * numbers seconds_behind and binlog_retention_hours -1; now 0.  That is
 * what observe() reports about something it could not see.
 *
 * Input errors (RR_ERR_PARSE, RR_ERR_IO when the file cannot be read) name
 * the file and the key by its dotted path, e.g.
 *   case/observed.json: unknown key 'source.statu'
 *   case/observed.json: srcdb.binlog.pos: expected an integer >= 0
 *   case/observed.json: key.state: 'EnabledEnabled...' is longer than 31
 *   bytes
 * so a misspelt key in a test case cannot pass silently.  Duplicate keys
 * are refused too.
 */
#ifndef RR_OBSERVED_JSON_H
#define RR_OBSERVED_JSON_H

#include <jansson.h>

#include "err.h"
#include "observe.h"

/* Read the JSON file at path into *o (all of it set: defaults above). */
enum rr_err observed_from_json(struct observed *o, const char *path)
	__attribute__((warn_unused_result));

/*
 * The same from a JSON value already loaded; name is used in messages.
 * On error *o holds the defaults and whatever was read before the error.
 */
enum rr_err observed_from_json_value(struct observed *o, const json_t *root,
    const char *name) __attribute__((warn_unused_result));

/*
 * A new JSON object holding every field of *o (no key left out), in the
 * shape above; the caller owns the reference.  observed_from_json_value()
 * of it gives *o back.
 */
json_t *observed_to_json(const struct observed *o);

#endif

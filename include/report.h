/*
 * report.h - what diff and status print: text, JSON and Markdown.
 *
 * The JSON documents are the data; Markdown (diff) and the status text
 * are views of them, so the formats cannot say different things.  diff's
 * text output is printed from the steps directly, as it always was.
 *
 * diff --output json (schemas/plan-v1.schema.json), one document for the
 * whole invocation:
 *
 *   {"formatVersion": 1,
 *    "objects": [{"name": "prod-db", "file": "prod-db.yaml",
 *                 "source": "prod-db", "target": "prod-db-enc",
 *                 "status": "pending",   converged|pending|blocked|error
 *                 "error": null,         the reason when status is error
 *                 "steps": [STEP, ...]}], plan_all(), [] on error
 *    "error": null,     why the files could not be loaded (objects [])
 *    "exitCode": 2}
 *
 *   STEP = {"index": 1,                  1-based
 *           "kind": "act",               act|wait|gate|blocked|converged
 *           "symbol": "+",               step_symbol()
 *           "action": "create-temp-replica",   action_name(), or null
 *           "waitsOn": null,             wait_name() of a wait or gate
 *           "operation": "CreateDBInstanceReadReplica",  or null
 *           "what": "...", "why": "...",
 *           "position": {"file": "mysql-bin.000003", "pos": 4} or null,
 *           "arguments": ARGUMENTS or null}
 *
 *   ARGUMENTS = what the action sends, as the planner resolved it
 *           (struct step_args), only the keys it sends: e.g. for
 *           create-temp-replica {"id": "db-enc-rr-tmp", "from": "db",
 *           "tags": {"rdsreconcile:object": "db", ...}}; for switch-alias
 *           {"id", "hostedZoneId", "type", "ttl", "value"}; for
 *           start-replication {"id", "host", "port", "user", "tls"} with
 *           the coordinates in "position".
 *
 * status --output json (schemas/status-v1.schema.json): the same
 * document, with per object, instead of "steps":
 *
 *   "phase": "replicating",    report_phase(), null on error
 *   "next": STEP,              plan_next(), null on error
 *   "lagSeconds": 0,           the target's Seconds_Behind_Master, null
 *                              when it does not replicate or it is NULL
 *   "snapshotPercent": 100,    PercentProgress of the freeze snapshot,
 *   "copyPercent": 40,         and of its encrypted copy; null if absent
 *   "gates": {"approval": {"state": "held", "mode": "manual"},
 *             "window": {"state": "held", "window": "Sun 03:00-05:00 UTC",
 *                        "nextOpen": "2026-11-29T03:00:00Z"},
 *             "lag": {"state": "open", "maxSeconds": 1},
 *             "postpone": {"state": "open", "file": null}},  null on error
 *   "lastAction": {"time", "action", "what", "result"} (lastrun.h) or null
 *
 * A gate's state is "open" or "held" (plan_gates()); nextOpen is null
 * while the window is open.  Every key is always present; null stands for
 * "none" or "unknown".  Errors are rr_lasterr() details, which never hold
 * a secret (err.h).
 */
#ifndef RR_REPORT_H
#define RR_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "plan.h"

struct desired;
struct lastrun;
struct observed;

/* "formatVersion" of every document; bumped on an incompatible change. */
#define REPORT_FORMAT_VERSION 1

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_MARKDOWN };

/* Masks of formats a command offers. */
#define REPORT_ALLOW(f) (1u << (f))

/*
 * The format named s ("text", "json", "markdown") into *out when the mask
 * allowed has it.  0, or -1 when s names no allowed format.
 */
int report_format_parse(const char *s, unsigned allowed,
    enum report_format *out);

enum report_status {
	REPORT_CONVERGED,	/* nothing left to do */
	REPORT_PENDING,		/* steps remain (waits and gates included) */
	REPORT_BLOCKED,		/* the plan ends at a refusal: a human acts */
	REPORT_ERROR,		/* the object could not be observed */
};

/* "converged", "pending", "blocked", "error". */
const char *report_status_name(enum report_status s);

/* The status of a plan_all() list of n >= 1 steps. */
enum report_status report_plan_status(const struct step *steps, size_t n);

/*
 * A step's arguments as JSON (ARGUMENTS above): every value its action
 * sends, only those; null for a step that is not an action.  New
 * reference.
 */
json_t *report_step_args_json(const struct step *s);

/* A step as JSON (STEP above); index is 1-based.  New reference. */
json_t *report_step_json(const struct step *s, size_t index);

/*
 * The document around objects (a JSON array; the reference is stolen),
 * with the load error (NULL when the files loaded) and the exit code.
 */
json_t *report_document(json_t *objects, const char *error, int exit_code);

/* Print a document as indented JSON and a newline.  -1 on a write error. */
int report_print_json(FILE *f, const json_t *doc);

/* ---- diff ---- */

/*
 * The human form: "NAME: steps to converge:" and two lines per step
 * (symbol, action or kind, what; then operation and why), or one
 * "NAME: converged: ..." line.  colour adds ANSI colours to the symbols.
 */
void report_plan_text(FILE *f, const struct desired *d,
    const struct step *steps, size_t n, int colour);

/* One object of the diff document.  New reference. */
json_t *report_plan_object(const struct desired *d, const struct step *steps,
    size_t n);

/* One object of the diff document that could not be observed. */
json_t *report_plan_error_object(const struct desired *d, const char *why);

/*
 * The diff document as Markdown for a pull-request comment: a heading
 * with the counts, then per object a summary line and, unless it is
 * converged or failed, a table | # | | step | operation | why / waits on |
 * with one row per step.
 */
void report_plan_markdown(FILE *f, const json_t *doc);

/*
 * s escaped for a Markdown table cell (CommonMark/GFM): the ASCII
 * punctuation that could start markup (\ ` * _ [ ] < > | ~ & #) gets a
 * backslash, and a line break (\n, \r\n or \r) becomes <br>.  The caller
 * frees the result.
 */
char *report_md_escape(const char *s);

/* ---- status ---- */

/*
 * Where an object stands, from the observed resources, the phase tag on
 * the target and the next step: "blocked" when next is STEP_BLOCKED, else
 * the furthest of "not-started" (nothing built), "replica" (the temporary
 * replica exists), "snapshot", "copy" (the unencrypted snapshot, its
 * encrypted copy), "restore" (the target is being restored), "configure"
 * (parameter group, settings, reboot, replication user), "replicating"
 * (replication configured on the target: catching up, or held by a gate),
 * "cutover", "done" (target tagged phase=cutover, phase=done; done
 * includes the cleanup).  Pure.
 */
const char *report_phase(const struct observed *o, const struct step *next);

/* One object of the status document; last may be NULL.  New reference. */
json_t *report_status_object(const struct desired *d,
    const struct observed *o, const struct step *next,
    const struct lastrun *last);

/* One object of the status document that could not be observed. */
json_t *report_status_error_object(const struct desired *d, const char *why,
    const struct lastrun *last);

/* A compact block of lines for one status object (as made above). */
void report_status_text(FILE *f, const json_t *obj);

#endif

/*
 * crashpoint.h - named kill points for the crash-anywhere sweep
 * (tests/crash/run, `make test-crash`).
 *
 * Only the test build (-DRR_CRASH_POINTS, build/crash/rdsreconcile) has
 * them; in every other build each call is an empty macro whose arguments
 * are not evaluated, so the production binary holds no crash symbol.
 *
 * In the test build, each point passed:
 *   - is appended, one name a line, to the file named by
 *     RDSRECONCILE_CRASH_TRACE (O_APPEND), when set;
 *   - kills the process with SIGKILL, at once and from inside, when its
 *     name is RDSRECONCILE_CRASH_AT ("NAME": its first pass; "NAME#N":
 *     its Nth pass).  No race against output: the process stops exactly
 *     there.
 *
 * Names (the step is the action name log_set_step() was given):
 *   "<step>/act:before", "<step>/act:after"   a step boundary (loop.c)
 *   "<step>/aws:<Action>:before|after"        a mutating AWS call
 *   "<step>/sql#<k>:before|after"             the k-th SQL statement of the
 *                                             step (k from 1)
 *   "wait:<kind>"                             a wait (wait_name())
 */
#ifndef RR_CRASHPOINT_H
#define RR_CRASHPOINT_H

#ifdef RR_CRASH_POINTS
/* A point outside a step (a boundary or a wait); it also restarts the
 * statement count of crash_point_sql(). */
void crash_point(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A point inside the current step, named "<step>/..."; nothing outside a
 * step (observation). */
void
crash_point_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Before (after = 0) or after (1) an SQL statement inside the current
 * step; "before" counts the statement. */
void crash_point_sql(int after);
#else
#define crash_point(...)       ((void)0)
#define crash_point_step(...)  ((void)0)
#define crash_point_sql(after) ((void)0)
#endif

#endif

/*
 * clock.h - the one monotonic clock, for waits and timeouts.
 */
#ifndef RR_CLOCK_H
#define RR_CLOCK_H

/* Seconds since an arbitrary point (CLOCK_MONOTONIC, clock_gettime(2));
 * only differences mean anything. */
double rr_monotonic(void);

#endif

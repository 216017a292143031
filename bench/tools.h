/*
 * tools.h - the small tools both runners of inved-bench use (run.c for
 * SQLite, pg.c for PostgreSQL): a monotonic clock, the seeded generator,
 * nearest-rank percentiles, and the notes under the table and the
 * progress lines on stderr.
 */
#ifndef INVED_BENCH_TOOLS_H
#define INVED_BENCH_TOOLS_H

#include <stddef.h>
#include <stdint.h>

/* Seconds on the monotonic clock. */
double bench_now(void);

/* xorshift64*: set bench_rng_state (never 0) to seed it. */
extern uint64_t bench_rng_state;
uint64_t bench_rng_next(void);

/* Nearest-rank percentile p of v[0..n) (sorted in place); NAN when n is
 * 0. */
double bench_pct(double *v, size_t n, double p);

/* A line of the notes printed under the table (bench_notes). */
extern char bench_notes[8192];
__attribute__((format(printf, 1, 2))) void bench_note(const char *fmt, ...);

/* "inved-bench: ..." on stderr, so stdout is only the table. */
__attribute__((format(printf, 1, 2))) void bench_progress(const char *fmt,
                                                           ...);

#endif

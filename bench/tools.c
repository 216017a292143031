/*
 * tools.c - see tools.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools.h"

uint64_t bench_rng_state = 1;
char bench_notes[8192];

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t bench_rng_next(void)
{
	bench_rng_state ^= bench_rng_state >> 12;
	bench_rng_state ^= bench_rng_state << 25;
	bench_rng_state ^= bench_rng_state >> 27;
	return bench_rng_state * UINT64_C(2685821657736338717);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_pct(double *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof v[0], cmp_double);
	k = (size_t)ceil(p / 100.0 * (double)n);
	if (k < 1)
		k = 1;
	return v[k - 1];
}

void bench_note(const char *fmt, ...)
{
	size_t used = strlen(bench_notes);
	va_list ap;

	if (used + 2 >= sizeof bench_notes)
		return;
	va_start(ap, fmt);
	vsnprintf(bench_notes + used, sizeof bench_notes - used, fmt, ap);
	va_end(ap);
	used = strlen(bench_notes);
	if (used + 1 < sizeof bench_notes) {
		bench_notes[used] = '\n';
		bench_notes[used + 1] = '\0';
	}
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("inved-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

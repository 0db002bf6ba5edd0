/* For unit tests of the comparison: compare two runs built in memory
 * (tests/fakerun.h) and find a metric's result. Include after cmocka.h. */
#ifndef BENCH_FAKECOMPARE_H
#define BENCH_FAKECOMPARE_H

#include <string.h>

#include "reports/compare.h"

/* compare_run of new run n against base run b under p into *c (caller
 * frees with comparison_free); a p->db of NULL becomes a path that does
 * not exist, so no results/history.sqlite of the checkout takes part. */
static inline void fake_compare(struct run *b, struct run *n, struct compare_policy *p,
                                struct comparison *c)
{
	if (p->db == NULL)
		p->db = "build/no-such-history.sqlite";
	struct compare_side bs, ns;
	compare_side_of_run(&bs, "base", b);
	compare_side_of_run(&ns, "new", n);
	assert_int_equal(compare_run(&bs, &ns, p, c, NULL), 0);
	compare_side_free(&bs);
	compare_side_free(&ns);
}

/* The comparison of workload's (first) metric; fails the test when none. */
static inline const struct metric_cmp *fake_find(const struct comparison *c, const char *workload)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].workload, workload) == 0)
			return &c->m[i];
	fail_msg("no comparison for %s", workload);
	return NULL;
}

#endif

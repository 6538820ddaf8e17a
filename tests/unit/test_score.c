/* test_score.c — the 300-850 score table (golden score_table.csv), the
 * bins and their labels, the score-band analysis. */
#include <math.h>
#include <stdlib.h>

#include "golden.h"
#include "score.h"
#include "test.h"

#define TOL 1e-12

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

TEST(score_golden_table)
{
	struct golden_csv c;
	size_t i;

	if (golden_csv_load("score_table.csv", &c))
		return;
	CHECK(c.rows > 100);
	for (i = 0; i < c.rows; i++) {
		double p = golden_num(&c, i, 0);
		int want = atoi(golden_cell(&c, i, 1));
		int got = mp_score_from_probability(p);
		if (got != want)
			mp_test_fail(__FILE__, __LINE__, "score(%s) == %d, expected %d",
				     golden_cell(&c, i, 0), got, want);
	}
	golden_csv_free(&c);
}

TEST(score_table_edges)
{
	CHECK_INT(mp_score_from_probability(0.0), 850);
	CHECK_INT(mp_score_from_probability(-0.1), 850);
	CHECK_INT(mp_score_from_probability(-INFINITY), 850);
	CHECK_INT(mp_score_from_probability(0.002), 840);
	/* The original's typo gave 300 for 0.685 <= p < 0.715. */
	CHECK_INT(mp_score_from_probability(0.685), 400);
	CHECK_INT(mp_score_from_probability(0.7), 400);
	CHECK_INT(mp_score_from_probability(0.7149999), 400);
	CHECK_INT(mp_score_from_probability(0.715), 390);
	CHECK_INT(mp_score_from_probability(0.9849999), 310);
	CHECK_INT(mp_score_from_probability(0.985), 300);
	CHECK_INT(mp_score_from_probability(1.0), 300);
	CHECK_INT(mp_score_from_probability(1.0000001), 300);
	CHECK_INT(mp_score_from_probability(INFINITY), 300);
	CHECK_INT(mp_score_from_probability(NAN), 300);
}

/* Every one of the 56 scores 300, 310, ..., 850 is reachable; nothing else
 * is produced. */
TEST(score_table_every_band)
{
	int seen[56] = { 0 }, i, missing = 0;

	for (i = 0; i <= 100000; i++) {
		int s = mp_score_from_probability(i / 100000.0);
		CHECK(s >= 300 && s <= 850 && s % 10 == 0);
		if (s >= 300 && s <= 850)
			seen[(850 - s) / 10] = 1;
	}
	for (i = 0; i < 56; i++)
		missing += !seen[i];
	CHECK_INT(missing, 0);
}

/* §6.2 bins; every score lies inside the range its label states (the
 * original's "301 - 350" label held score 300). */
TEST(score_bins_and_labels)
{
	static const int widths[3] = { 10, 20, 50 }, counts[3] = { 56, 28, 11 };
	char buf[32];
	int g, s;

	for (g = 0; g < 3; g++) {
		CHECK_INT(mp_score_bin_count(widths[g]), counts[g]);
		CHECK_INT(mp_score_bin_index(850, widths[g]), 0);
		CHECK_INT(mp_score_bin_index(300, widths[g]), counts[g] - 1);
		for (s = 300; s <= 850; s += 10) {
			int b = mp_score_bin_index(s, widths[g]), low, high;
			mp_score_bin_range(b, widths[g], &low, &high);
			if (s < low || s > high)
				mp_test_fail(__FILE__, __LINE__, "width %d: score %d in bin %d (%d - %d)",
					     widths[g], s, b, low, high);
		}
	}
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 0, 10), "850");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 55, 10), "300");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 0, 20), "831 - 850");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 1, 20), "811 - 830");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 26, 20), "311 - 330");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 27, 20), "300 - 310");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 0, 50), "801 - 850");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 9, 50), "351 - 400");
	CHECK_STR(mp_score_bin_label(buf, sizeof(buf), 10, 50), "300 - 350");
	CHECK_INT(mp_score_bin_index(310, 20), 27);
	CHECK_INT(mp_score_bin_index(320, 20), 26);
	CHECK_INT(mp_score_bin_index(350, 50), 10);
	CHECK_INT(mp_score_bin_index(351, 50), 9);
	CHECK_INT(mp_score_bin_index(900, 10), 0);
	CHECK_INT(mp_score_bin_index(100, 10), 55);
	CHECK_INT(mp_score_bin_count(5), 0);
	CHECK_INT(mp_score_bin_index(500, 5), -1);
}

/* Rows (p -> score, label):
 *   0.001 -> 850 (0), 0.0015 -> 850 (1), 0.003 -> 840 (0), 0.7 -> 400 (1),
 *   0.99 -> 300 (1), NaN -> 300 (0), 1.5 -> 300 (0), label 2 -> left out.
 * 7 rows, 3 events. Scores sorted: 300 300 300 400 840 850 850: median
 * 400, mean (3*300 + 400 + 840 + 2*850)/7 = 3840/7. */
TEST(score_analysis_hand)
{
	const double y[8] = { 0, 1, 0, 1, 1, 0, 0, 2 };
	const double p[8] = { 0.001, 0.0015, 0.003, 0.7, 0.99, NAN, 1.5, 0.5 };
	cJSON *body = mp_score_analysis(y, p, 8);
	const cJSON *sum = get(body, "summary"), *b10 = get(body, "bins_10");
	const cJSON *b20 = get(body, "bins_20"), *b50 = get(body, "bins_50"), *bin;

	CHECK_INT(json_num(sum, "rows"), 7);
	CHECK_INT(json_num(sum, "events"), 3);
	CHECK_INT(json_num(sum, "non_events"), 4);
	CHECK_INT(json_num(sum, "invalid_rows"), 1);
	CHECK_INT(json_num(sum, "probability_out_of_range_count"), 2);
	CHECK_NEAR(json_num(sum, "event_rate"), 3.0 / 7, TOL);
	CHECK_NEAR(json_num(sum, "mean_score"), 3840.0 / 7, TOL);
	CHECK_NEAR(json_num(sum, "median_score"), 400, 0);
	CHECK_NEAR(json_num(sum, "minimum_score"), 300, 0);
	CHECK_NEAR(json_num(sum, "maximum_score"), 850, 0);

	CHECK_INT(cJSON_GetArraySize(b10), 56);
	CHECK_INT(cJSON_GetArraySize(b20), 28);
	CHECK_INT(cJSON_GetArraySize(b50), 11);
	bin = cJSON_GetArrayItem(b10, 0);
	CHECK_STR(get(bin, "label")->valuestring, "850");
	CHECK_INT(json_num(bin, "count"), 2);
	CHECK_INT(json_num(bin, "events"), 1);
	CHECK_NEAR(json_num(bin, "event_rate"), 0.5, 0);
	CHECK_NEAR(json_num(bin, "row_share"), 2.0 / 7, TOL);
	bin = cJSON_GetArrayItem(b10, 1); /* 840 */
	CHECK_INT(json_num(bin, "count"), 1);
	CHECK_NEAR(json_num(bin, "event_rate"), 0, 0);
	CHECK_INT(json_num(bin, "cumulative_count"), 3);
	CHECK_NEAR(json_num(bin, "cumulative_event_rate"), 1.0 / 3, TOL);
	bin = cJSON_GetArrayItem(b10, 2); /* 830: empty */
	CHECK_INT(json_num(bin, "count"), 0);
	CHECK(json_is_null(bin, "event_rate"));
	bin = cJSON_GetArrayItem(b10, 45); /* 400 */
	CHECK_STR(get(bin, "label")->valuestring, "400");
	CHECK_INT(json_num(bin, "count"), 1);
	CHECK_INT(json_num(bin, "events"), 1);
	bin = cJSON_GetArrayItem(b10, 55); /* 300 */
	CHECK_INT(json_num(bin, "count"), 3);
	CHECK_INT(json_num(bin, "events"), 1);
	CHECK_INT(json_num(bin, "non_events"), 2);
	CHECK_INT(json_num(bin, "cumulative_count"), 7);
	CHECK_NEAR(json_num(bin, "cumulative_event_rate"), 3.0 / 7, TOL);

	bin = cJSON_GetArrayItem(b20, 0); /* 831 - 850: 850, 850, 840 */
	CHECK_INT(json_num(bin, "count"), 3);
	CHECK_INT(json_num(bin, "score_minimum"), 831);
	bin = cJSON_GetArrayItem(b20, 27);
	CHECK_STR(get(bin, "label")->valuestring, "300 - 310");
	CHECK_INT(json_num(bin, "count"), 3);
	bin = cJSON_GetArrayItem(b50, 9); /* 351 - 400 */
	CHECK_INT(json_num(bin, "count"), 1);
	bin = cJSON_GetArrayItem(b50, 10);
	CHECK_STR(get(bin, "label")->valuestring, "300 - 350");
	CHECK_INT(json_num(bin, "count"), 3);
	CHECK_INT(json_num(bin, "score_minimum"), 300);
	cJSON_Delete(body);
}

/* Golden binary predictions: every width's bins partition the rows, and
 * each bin matches a brute-force count. */
TEST(score_analysis_golden_rows)
{
	static const char *const keys[3] = { "bins_10", "bins_20", "bins_50" };
	static const int widths[3] = { 10, 20, 50 };
	struct golden_csv c;
	double *y, *p;
	cJSON *body;
	size_t i;
	int g, b;

	if (golden_csv_load("binary.csv", &c))
		return;
	y = malloc(c.rows * sizeof(double));
	p = malloc(c.rows * sizeof(double));
	for (i = 0; i < c.rows; i++) {
		y[i] = golden_num(&c, i, 0);
		p[i] = golden_num(&c, i, 1);
	}
	body = mp_score_analysis(y, p, c.rows);
	CHECK_INT(json_num(get(body, "summary"), "rows"), c.rows);
	for (g = 0; g < 3; g++) {
		const cJSON *bins = get(body, keys[g]);
		for (b = 0; b < cJSON_GetArraySize(bins); b++) {
			const cJSON *bin = cJSON_GetArrayItem(bins, b);
			double count = 0, events = 0;
			for (i = 0; i < c.rows; i++) {
				int s = mp_score_from_probability(p[i]);
				if (mp_score_bin_index(s, widths[g]) != b)
					continue;
				count++;
				events += y[i];
			}
			CHECK_NEAR(json_num(bin, "count"), count, 0);
			CHECK_NEAR(json_num(bin, "events"), events, 0);
			if (count)
				CHECK_NEAR(json_num(bin, "event_rate"), events / count, TOL);
			else
				CHECK(json_is_null(bin, "event_rate"));
		}
		CHECK_NEAR(json_num(cJSON_GetArrayItem(bins, cJSON_GetArraySize(bins) - 1),
				    "cumulative_count"),
			   (double)c.rows, 0);
	}
	cJSON_Delete(body);
	free(y);
	free(p);
	golden_csv_free(&c);
}

TEST(score_analysis_empty)
{
	cJSON *body = mp_score_analysis(NULL, NULL, 0);
	const cJSON *sum = get(body, "summary");
	char *text = cJSON_PrintUnformatted(body);

	CHECK_INT(json_num(sum, "rows"), 0);
	CHECK(json_is_null(sum, "mean_score"));
	CHECK(json_is_null(sum, "median_score"));
	CHECK(json_is_null(sum, "event_rate"));
	CHECK_INT(cJSON_GetArraySize(get(body, "bins_10")), 56);
	CHECK(json_is_null(cJSON_GetArrayItem(get(body, "bins_10"), 0), "row_share"));
	CHECK(text && !strstr(text, "nan"));
	free(text);
	cJSON_Delete(body);
}

/* score.c — the 300-850 score table and the score-band analysis. */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonio.h"
#include "util.h"

#define SCORE_SPAN (MP_SCORE_MAX - MP_SCORE_MIN) /* 550 */

/* REFERENCE §6.1, with 0.715 -> 400 restored (§10.33). */
static const struct {
	double bound;
	int score;
} score_table[] = {
	{ 0.002, 850 }, { 0.004, 840 }, { 0.006, 830 }, { 0.008, 820 }, { 0.01, 810 },
	{ 0.015, 800 }, { 0.02, 790 },  { 0.025, 780 }, { 0.03, 770 },  { 0.035, 760 },
	{ 0.045, 750 }, { 0.055, 740 }, { 0.065, 730 }, { 0.075, 720 }, { 0.085, 710 },
	{ 0.1, 700 },   { 0.115, 690 }, { 0.13, 680 },  { 0.145, 670 }, { 0.16, 660 },
	{ 0.175, 650 }, { 0.19, 640 },  { 0.205, 630 }, { 0.22, 620 },  { 0.235, 610 },
	{ 0.255, 600 }, { 0.275, 590 }, { 0.295, 580 }, { 0.315, 570 }, { 0.335, 560 },
	{ 0.355, 550 }, { 0.375, 540 }, { 0.395, 530 }, { 0.415, 520 }, { 0.435, 510 },
	{ 0.46, 500 },  { 0.485, 490 }, { 0.51, 480 },  { 0.535, 470 }, { 0.56, 460 },
	{ 0.585, 450 }, { 0.61, 440 },  { 0.635, 430 }, { 0.66, 420 },  { 0.685, 410 },
	{ 0.715, 400 }, { 0.745, 390 }, { 0.775, 380 }, { 0.805, 370 }, { 0.835, 360 },
	{ 0.865, 350 }, { 0.895, 340 }, { 0.925, 330 }, { 0.955, 320 }, { 0.985, 310 },
};

int mp_score_from_probability(double p)
{
	size_t i;

	if (isnan(p) || p > 1)
		return MP_SCORE_MIN;
	for (i = 0; i < sizeof(score_table) / sizeof(score_table[0]); i++)
		if (p < score_table[i].bound)
			return score_table[i].score;
	return MP_SCORE_MIN;
}

int mp_score_bin_count(int width)
{
	if (width < 10)
		return 0;
	if (width == 10)
		return SCORE_SPAN / 10 + 1;
	return (SCORE_SPAN + width - 1) / width;
}

int mp_score_bin_index(int score, int width)
{
	int bins = mp_score_bin_count(width), b;

	if (!bins)
		return -1;
	if (score > MP_SCORE_MAX)
		score = MP_SCORE_MAX;
	if (score < MP_SCORE_MIN)
		score = MP_SCORE_MIN;
	b = (MP_SCORE_MAX - score) / width;
	return b < bins - 1 ? b : bins - 1;
}

void mp_score_bin_range(int index, int width, int *low, int *high)
{
	int bins = mp_score_bin_count(width);

	*high = MP_SCORE_MAX - width * index;
	if (width == 10)
		*low = *high;
	else
		*low = index == bins - 1 ? MP_SCORE_MIN : *high - width + 1;
}

char *mp_score_bin_label(char *buf, size_t size, int index, int width)
{
	int low, high;

	mp_score_bin_range(index, width, &low, &high);
	if (low == high)
		snprintf(buf, size, "%d", high);
	else
		snprintf(buf, size, "%d - %d", low, high);
	return buf;
}

static double ratio(double num, double den)
{
	return den != 0 ? num / den : NAN;
}

static cJSON *score_bins(const int *scores, const double *actual01, size_t n, size_t rows,
			 int width)
{
	int bins = mp_score_bin_count(width), b;
	size_t *count = xcalloc((size_t)bins, sizeof(size_t));
	size_t *events = xcalloc((size_t)bins, sizeof(size_t));
	size_t i, run_count = 0, run_events = 0;
	cJSON *arr = cJSON_CreateArray();

	for (i = 0; i < n; i++) {
		if (scores[i] < 0)
			continue;
		b = mp_score_bin_index(scores[i], width);
		count[b]++;
		if (actual01[i] == 1.0)
			events[b]++;
	}
	for (b = 0; b < bins; b++) {
		cJSON *o = cJSON_CreateObject();
		char label[32];
		int low, high;
		mp_score_bin_range(b, width, &low, &high);
		run_count += count[b];
		run_events += events[b];
		cJSON_AddStringToObject(o, "label", mp_score_bin_label(label, sizeof(label), b, width));
		cJSON_AddNumberToObject(o, "score_minimum", low);
		cJSON_AddNumberToObject(o, "score_maximum", high);
		cJSON_AddNumberToObject(o, "count", (double)count[b]);
		cJSON_AddNumberToObject(o, "events", (double)events[b]);
		cJSON_AddNumberToObject(o, "non_events", (double)(count[b] - events[b]));
		mp_json_add_num(o, "event_rate", ratio((double)events[b], (double)count[b]));
		mp_json_add_num(o, "row_share", ratio((double)count[b], (double)rows));
		cJSON_AddNumberToObject(o, "cumulative_count", (double)run_count);
		cJSON_AddNumberToObject(o, "cumulative_events", (double)run_events);
		mp_json_add_num(o, "cumulative_event_rate",
				ratio((double)run_events, (double)run_count));
		cJSON_AddItemToArray(arr, o);
	}
	free(events);
	free(count);
	return arr;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

cJSON *mp_score_analysis(const double *actual01, const double *p_true, size_t n)
{
	static const int widths[3] = { 10, 20, 50 };
	static const char *const keys[3] = { "bins_10", "bins_20", "bins_50" };
	/* scores[i] = -1 marks a row left out (label not 0/1). */
	int *scores = xmalloc(mp_mul_size(n, sizeof(int)));
	int *sorted = xmalloc(mp_mul_size(n, sizeof(int)));
	size_t i, rows = 0, events = 0, odd_probability = 0;
	double sum = 0, median = NAN;
	cJSON *body = cJSON_CreateObject(), *summary;
	int g;

	for (i = 0; i < n; i++) {
		if (actual01[i] != 0.0 && actual01[i] != 1.0) {
			scores[i] = -1;
			continue;
		}
		if (!(p_true[i] >= 0 && p_true[i] <= 1))
			odd_probability++;
		scores[i] = mp_score_from_probability(p_true[i]);
		sorted[rows++] = scores[i];
		sum += scores[i];
		if (actual01[i] == 1.0)
			events++;
	}
	qsort(sorted, rows, sizeof(int), cmp_int);
	if (rows)
		median = rows % 2 ? sorted[rows / 2]
				  : (sorted[rows / 2 - 1] + sorted[rows / 2]) / 2.0;

	summary = cJSON_AddObjectToObject(body, "summary");
	cJSON_AddNumberToObject(summary, "rows", (double)rows);
	cJSON_AddNumberToObject(summary, "events", (double)events);
	cJSON_AddNumberToObject(summary, "non_events", (double)(rows - events));
	mp_json_add_num(summary, "event_rate", ratio((double)events, (double)rows));
	mp_json_add_num(summary, "mean_score", ratio(sum, (double)rows));
	mp_json_add_num(summary, "median_score", median);
	mp_json_add_num(summary, "minimum_score", rows ? sorted[0] : NAN);
	mp_json_add_num(summary, "maximum_score", rows ? sorted[rows - 1] : NAN);
	cJSON_AddNumberToObject(summary, "invalid_rows", (double)(n - rows));
	cJSON_AddNumberToObject(summary, "probability_out_of_range_count",
				(double)odd_probability);

	for (g = 0; g < 3; g++)
		cJSON_AddItemToObject(body, keys[g],
				      score_bins(scores, actual01, n, rows, widths[g]));
	free(sorted);
	free(scores);
	return body;
}

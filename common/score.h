/* score.h — probability of the event (default) -> 300-850 score, and the
 * score-band analysis (REFERENCE §6.1-6.2, with §10.33-34 fixed).
 *
 * The score table: the first bound with p < bound gives the score,
 *   0.002 -> 850, 0.004 -> 840, ..., 0.685 -> 410, 0.715 -> 400 (the
 *   original's typo gave 300 here, so 400 was never produced), 0.745 -> 390,
 *   ..., 0.985 -> 310; p >= 0.985 -> 300. A negative p scores 850; NaN and
 *   p > 1 score 300 (the worst score: an unusable prediction never looks
 *   safe).
 *
 * Bins of width g over the 56 scores 850, 840, ..., 300, bin 0 at the top:
 *   bin(score) = min(floor((850 - score)/g), bins(g) - 1)
 *   g = 10: 56 bins, one per score, labels "850", "840", ..., "300"
 *   g = 20: 28 bins "831 - 850", "811 - 830", ..., "311 - 330", "300 - 310"
 *   g = 50: 11 bins "801 - 850", ..., "351 - 400", "300 - 350" (the
 *     original labelled the last "301 - 350" though 300 falls in it). */
#ifndef MP_SCORE_H
#define MP_SCORE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define MP_SCORE_MIN 300
#define MP_SCORE_MAX 850

int mp_score_from_probability(double p);

/* Bins of width g: 56 for g = 10 (every score its own bin), else
 * ceil(550/g) with 300 in the last bin (28 for 20, 11 for 50); 0 if g < 10. */
int mp_score_bin_count(int width);
/* Bin of a score (clamped to 300..850); -1 if width < 10. */
int mp_score_bin_index(int score, int width);
/* Lowest and highest score of a bin. */
void mp_score_bin_range(int index, int width, int *low, int *high);
/* The bin's label ("850" for width 10, else "831 - 850"); returns buf. */
char *mp_score_bin_label(char *buf, size_t size, int index, int width);

/* Score-band analysis of one prediction set (actual01: 1 = event/default,
 * p_true = P(event)). Returns a new object:
 *   summary: rows, events, non_events, event_rate, mean_score,
 *     median_score, minimum_score, maximum_score, invalid_rows (label not
 *     exactly 0 or 1: left out), probability_out_of_range_count (NaN, < 0
 *     or > 1: scored by the table rule above, and counted here)
 *   bins_10 (56), bins_20 (28), bins_50 (11): arrays, top score first, of
 *     {label, score_minimum, score_maximum, count, events, non_events,
 *      event_rate (events/count, null when the bin is empty), row_share
 *      (count/rows), cumulative_count, cumulative_events,
 *      cumulative_event_rate (over this bin and every better one; null
 *      while empty)}
 * Every value is exact (nothing rounded); empty input gives zero counts
 * and null rates. */
cJSON *mp_score_analysis(const double *actual01, const double *p_true, size_t n);

#endif

/* analyze.h — mlanalyze's and mlscore's work on a model: read each
 * algorithm's predictions of both splits and write analysis/<algo>.<split>.json
 * (evaluation) or score/<algo>.<split>.json (300-850 score bands). */
#ifndef MP_ANALYZE_H
#define MP_ANALYZE_H

#include <cjson/cJSON.h>

#include "status.h"
#include "util.h"

/* Evaluation of every predicted algorithm; the summaries also go into
 * model.json (algorithms.<algo>.metrics.<split>). */
int mp_analyze_model(const char *dir, struct mp_store *store, cJSON *out, struct mp_error *err);
/* Score analysis of a binary model. Categorical and regression models
 * have no score: out gets a note and nothing is written. */
int mp_score_model(const char *dir, struct mp_store *store, cJSON *out, struct mp_error *err);

#endif

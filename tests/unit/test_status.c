/* Unit tests: the status store (model.json under a lock) and the overall
 * rule (REFERENCE §10.43: a model must never stay "training"). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "jsonio.h"
#include "status.h"
#include "status_ops.h"
#include "test.h"

static cJSON *model_with(const char *const *statuses, int n)
{
	cJSON *m = cJSON_CreateObject();
	static const char *const names[] = { "decision_tree", "random_forest", "linear" };
	int i;

	cJSON_AddStringToObject(m, "type", "binary");
	for (i = 0; i < n; i++) {
		cJSON *a = mp_status_algorithm(m, names[i]);
		mp_status_set(a, "status", statuses[i]);
		if (!strcmp(statuses[i], "failed"))
			mp_status_set(a, "error", "out of luck");
	}
	return m;
}

TEST(overall_rule)
{
	static const char *const all_ok[] = { "trained", "complete", "trained" };
	static const char *const one_failed[] = { "trained", "failed", "trained" };
	static const char *const all_failed[] = { "failed", "failed" };
	static const char *const stuck[] = { "trained", "training" };
	char why[256];
	cJSON *m;

	m = model_with(all_ok, 3);
	CHECK_STR(mp_status_overall(m, why, sizeof(why)), "complete");
	CHECK_STR(why, "");
	cJSON_Delete(m);
	m = model_with(one_failed, 3);
	CHECK_STR(mp_status_overall(m, why, sizeof(why)), "complete");
	CHECK_STR(why, "random_forest: out of luck");
	cJSON_Delete(m);
	m = model_with(all_failed, 2);
	CHECK_STR(mp_status_overall(m, why, sizeof(why)), "failed");
	CHECK_STR(why, "decision_tree: out of luck; random_forest: out of luck");
	cJSON_Delete(m);
	/* an algorithm that never finished fails the model instead of leaving it training */
	m = model_with(stuck, 2);
	CHECK_STR(mp_status_overall(m, why, sizeof(why)), "failed");
	CHECK_CONTAINS(why, "1 algorithm(s) never finished");
	cJSON_Delete(m);
	m = model_with(NULL, 0);
	CHECK_STR(mp_status_overall(m, why, sizeof(why)), "failed");
	CHECK_STR(why, "no algorithm was trained");
	cJSON_Delete(m);
}

TEST(best_algorithm_by_test_metric)
{
	static const char *const st[] = { "complete", "complete", "failed" };
	cJSON *m = model_with(st, 3), *t;

	t = cJSON_CreateObject();
	cJSON_AddNumberToObject(t, "auc", 0.7);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(mp_status_algorithm(m, "decision_tree"), "metrics"), "test", t);
	t = cJSON_CreateObject();
	cJSON_AddNumberToObject(t, "auc", 0.8);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(mp_status_algorithm(m, "random_forest"), "metrics"), "test", t);
	t = cJSON_CreateObject();
	cJSON_AddNumberToObject(t, "auc", 0.9); /* failed: never selected */
	cJSON_AddItemToObject(cJSON_AddObjectToObject(mp_status_algorithm(m, "linear"), "metrics"), "test", t);
	CHECK_STR(mp_status_best_algorithm(m), "random_forest");
	cJSON_Delete(m);
}

/* A one-class test split has no AUC: the lowest test log loss decides. */
TEST(best_algorithm_falls_back_to_the_loss)
{
	static const char *const st[] = { "complete", "complete", "complete" };
	static const double loss[] = { 0.9, 0.3, 0.5 };
	static const char *const names[] = { "decision_tree", "random_forest", "linear" };
	cJSON *m = model_with(st, 3), *t;

	for (int i = 0; i < 3; i++) {
		t = cJSON_CreateObject();
		cJSON_AddNullToObject(t, "auc");
		cJSON_AddNumberToObject(t, "log_loss", loss[i]);
		cJSON_AddItemToObject(cJSON_AddObjectToObject(mp_status_algorithm(m, names[i]), "metrics"), "test", t);
	}
	CHECK_STR(mp_status_best_algorithm(m), "random_forest");
	/* one AUC is enough for AUC to decide */
	t = cJSON_GetObjectItem(cJSON_GetObjectItem(mp_status_algorithm(m, "linear"), "metrics"), "test");
	cJSON_ReplaceItemInObject(t, "auc", cJSON_CreateNumber(0.6));
	CHECK_STR(mp_status_best_algorithm(m), "linear");
	cJSON_Delete(m);
}

struct counter_job {
	const char *dir;
	int rounds;
};

static int bump(cJSON *model, void *arg, struct mp_error *err)
{
	(void)arg;
	(void)err;
	mp_json_set(model, "n", cJSON_CreateNumber(mp_json_num(model, "n", 0) + 1));
	return 0;
}

static void *bumper(void *arg)
{
	struct counter_job *j = arg;
	struct mp_error err;
	int i;

	for (i = 0; i < j->rounds; i++)
		if (mp_status_update(NULL, j->dir, 1, bump, NULL, &err))
			mp_test_fail(__FILE__, __LINE__, "%s", err.msg);
	return NULL;
}

TEST(status_updates_never_lose_each_other)
{
	char *dir = mp_path_join(mp_test_tmpdir(), "locked");
	struct counter_job job = { dir, 50 };
	pthread_t t[4];
	struct mp_error err;
	cJSON *m;
	int i;

	mp_mkdirs(dir, &err);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, bumper, &job);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	m = mp_status_read(dir, &err);
	CHECK(m != NULL);
	CHECK_NEAR(mp_json_num(m, "n", 0), 200, 0);
	CHECK_STR(mp_json_str(m, "format"), MP_STATUS_FORMAT);
	cJSON_Delete(m);
	free(dir);
}

TEST(status_read_of_a_plain_directory)
{
	struct mp_error err;

	CHECK(mp_status_read(mp_test_tmpdir(), &err) == NULL);
	CHECK_INT(err.code, MP_EX_NOINPUT);
	CHECK_CONTAINS(err.msg, "is not a model directory (no model.json)");
}

TEST(json_numbers_round_trip_exactly)
{
	/* cJSON's printer accepts 15 digits within a relative epsilon; these
	 * need 17 (or 16) to read back as the same double */
	static const double values[] = { 20.902857142857144, 0.1 + 0.2, 1.0 / 3, -2.5e-300, 3, 1e22 };
	cJSON *a = cJSON_CreateArray(), *back;
	struct mp_error err;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(values[i]));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(NAN));
	text = mp_json_print(a, 0);
	CHECK_STR(text, "[20.902857142857144,0.30000000000000004,0.3333333333333333,-2.5e-300,3,1e+22,null]");
	back = mp_json_parse(text, &err);
	for (i = 0; back && i < sizeof(values) / sizeof(values[0]); i++)
		CHECK(cJSON_GetArrayItem(back, (int)i)->valuedouble == values[i]);
	free(text);
	cJSON_Delete(back);
	cJSON_Delete(a);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "s", "tab\there \"q\" \\ \x01");
	text = mp_json_print(a, 1);
	CHECK_STR(text, "{\n  \"s\": \"tab\\there \\\"q\\\" \\\\ \\u0001\"\n}");
	free(text);
	cJSON_Delete(a);
}

/* remote_store.h — a model store in S3 (--store s3://bucket/prefix or
 * $MLPIPE_STORE), so that workers on different hosts share models: the
 * files of model <id> live under s3://bucket/prefix/<id>/ with the same
 * relative names as in the model directory. A stage pulls the files that
 * changed in the store into its local working copy before it works, and
 * pushes the files it changed afterwards.
 *
 * What is in sync is kept in <dir>/.mlpipe-remote.json (ETag, size and
 * modification time of each file at its last transfer): a file whose
 * ETag in the store differs is pulled, a local file whose size or time
 * differs is pushed. Hidden files (.lock, temporary files, the state
 * itself) never travel. */
#ifndef MP_REMOTE_STORE_H
#define MP_REMOTE_STORE_H

#include <stddef.h>

#include "util.h"

struct mp_remote;

/* MP_EX_USAGE unless url is s3://bucket[/prefix]. */
struct mp_remote *mp_remote_open(const char *url, struct mp_error *err);
void mp_remote_close(struct mp_remote *r);
const char *mp_remote_url(const struct mp_remote *r);   /* s3://bucket/prefix */
char *mp_remote_model_url(const struct mp_remote *r, const char *id); /* .../<id>/ */

/* Pulls the model's files into dir (created when missing); only, when
 * not NULL, limits it to those relative names (NULL-terminated). Sets
 * *pulled (when not NULL) to the number of files transferred. */
int mp_remote_pull(struct mp_remote *r, const char *dir, const char *id, const char *const *only,
		   size_t *pulled, struct mp_error *err);
/* Pushes the files of dir changed since their last transfer. */
int mp_remote_push(struct mp_remote *r, const char *dir, const char *id, size_t *pushed,
		   struct mp_error *err);

#endif

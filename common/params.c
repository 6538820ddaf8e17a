/* params.c — hyperparameter tables and validation. */
#include "params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mp_params_init(struct mp_params *p, const struct mp_param_spec *spec, size_t n,
		    enum mp_task task)
{
	size_t i;

	p->spec = spec;
	p->n = n;
	p->value = xcalloc(n ? n : 1, sizeof(double));
	for (i = 0; i < n; i++)
		p->value[i] = spec[i].def[task];
}

void mp_params_free(struct mp_params *p)
{
	free(p->value);
	p->value = NULL;
	p->n = 0;
}

static long find(const struct mp_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->spec[i].name, name))
			return (long)i;
	return -1;
}

int mp_params_set(struct mp_params *p, const char *algo, const char *name, const char *value,
		  struct mp_error *err)
{
	long i = find(p, name);
	const struct mp_param_spec *s;
	char *end;
	double v;

	if (i < 0) {
		struct mp_buf known = MP_BUF_INIT;
		size_t k;
		for (k = 0; k < p->n; k++)
			mp_buf_addf(&known, "%s%s", k ? ", " : "", p->spec[k].name);
		mp_error_set(err, MP_EX_USAGE, "unknown parameter '%s.%s' (known: %s)", algo, name,
			     known.len ? known.data : "none");
		mp_buf_free(&known);
		return -1;
	}
	s = &p->spec[i];
	/* decimal only: strtod would also take leading blanks and hex */
	v = strtod(value, &end);
	if (end == value || *end != '\0' || !isfinite(v) || value[strspn(value, "+-0123456789.eE")] != '\0')
		return mp_error_set(err, MP_EX_USAGE, "parameter '%s.%s': expected a number, got '%s'",
				    algo, name, value);
	if (s->type == MP_PARAM_INT && v != floor(v))
		return mp_error_set(err, MP_EX_USAGE,
				    "parameter '%s.%s': expected an integer, got '%s'", algo, name,
				    value);
	if (v < s->min || v > s->max) {
		char lo[32], hi[32];
		return mp_error_set(err, MP_EX_USAGE, "parameter '%s.%s': %s is outside [%s, %s]",
				    algo, name, value, mp_fmt_double(lo, s->min),
				    mp_fmt_double(hi, s->max));
	}
	p->value[i] = v;
	return 0;
}

double mp_param(const struct mp_params *p, const char *name)
{
	long i = find(p, name);

	if (i < 0) {
		fprintf(stderr, "mlpipe: internal error: no parameter '%s'\n", name);
		abort();
	}
	return p->value[i];
}

int mp_param_int(const struct mp_params *p, const char *name)
{
	return (int)mp_param(p, name);
}

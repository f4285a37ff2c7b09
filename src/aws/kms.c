/* kms.c - typed KMS calls over JSON 1.1 (see kms.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws-int.h"
#include "kms.h"
#include "xmalloc.h"

static char *
jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? xstrdup(s) : NULL;
}

enum rr_err
kms_describe_key(struct aws_client *c, struct kms_key *out, const char *key)
{
	struct kms_key k;
	json_t *req, *rep = NULL, *md;
	enum rr_err e;

	memset(&k, 0, sizeof(k));
	memset(out, 0, sizeof(*out));
	req = json_pack("{s:s}", "KeyId", key);
	if (req == NULL)
		abort();
	e = aws_json(c, &rep, AWS_SVC_KMS, "TrentService", "DescribeKey", req);
	if ((e = aws_not_found_if(c, e, "NotFoundException")) != RR_OK)
		goto out;
	md = json_object_get(rep, "KeyMetadata");
	if (!json_is_object(md) ||
	    json_string_value(json_object_get(md, "Arn")) == NULL) {
		e = rr_seterr(RR_ERR_AWS, "kms DescribeKey: reply for '%s' has "
		    "no KeyMetadata", key);
		goto out;
	}
	k.key_id = jstr(md, "KeyId");
	k.arn = jstr(md, "Arn");
	k.key_state = jstr(md, "KeyState");
	k.enabled = json_is_true(json_object_get(md, "Enabled"));
	k.key_manager = jstr(md, "KeyManager");
	k.key_spec = jstr(md, "KeySpec");
	*out = k;
	memset(&k, 0, sizeof(k));	/* transferred */
out:
	kms_key_release(&k);
	json_decref(req);
	json_decref(rep);
	return e;
}

void
kms_key_release(struct kms_key *k)
{
	if (k == NULL)
		return;
	free(k->key_id);
	free(k->arn);
	free(k->key_state);
	free(k->key_manager);
	free(k->key_spec);
	memset(k, 0, sizeof(*k));
}

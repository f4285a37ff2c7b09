/*
 * kms.h - typed AWS KMS calls (AWS KMS API Reference, JSON 1.1 protocol,
 * X-Amz-Target: TrentService.*).
 *
 * The client comes first, then outputs, then inputs; outputs are filled
 * only on success and released with kms_key_release (accepts NULL).
 */
#ifndef RR_KMS_H
#define RR_KMS_H

#include "aws.h"
#include "err.h"

/* KMS API Reference, KeyMetadata (the members we use). */
struct kms_key {
	char *key_id;		/* KeyId: the key's UUID */
	char *arn;		/* Arn: arn:aws:kms:REGION:ACCOUNT:key/UUID */
	char *key_state;	/* KeyState: Enabled, Disabled,
				   PendingDeletion, PendingImport, ... */
	int enabled;		/* Enabled: 0/1 */
	char *key_manager;	/* KeyManager: AWS | CUSTOMER */
	char *key_spec;		/* KeySpec: SYMMETRIC_DEFAULT, ... */
};

/*
 * DescribeKey (AWS KMS API Reference): key is a key id, key ARN, alias name
 * ("alias/x") or alias ARN; its metadata in *out (kms_key_release).
 * RR_ERR_NOT_FOUND when KMS answers NotFoundException; RR_ERR_AWS when the
 * reply has no KeyMetadata.Arn or for another API error
 * (aws_client_error_code() has the code); and the errors of every call
 * (aws.h).  Read-only: allowed in dry run.
 */
enum rr_err kms_describe_key(struct aws_client *c, struct kms_key *out,
    const char *key);
/* Free what *k holds and zero it; accepts NULL. */
void kms_key_release(struct kms_key *k);

#endif

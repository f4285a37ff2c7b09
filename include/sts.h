/*
 * sts.h - AWS STS GetCallerIdentity (AWS STS API Reference, Query API
 * 2011-06-15): who the credentials belong to, for preflight and messages.
 */
#ifndef RR_STS_H
#define RR_STS_H

#include "aws.h"
#include "err.h"

/*
 * GetCallerIdentity: *account (12 digits) and *arn (the caller's ARN),
 * both to free(); either pointer may be NULL when not wanted.
 * RR_ERR_AWS (e.g. InvalidClientTokenId) when the credentials are refused.
 */
enum rr_err sts_get_caller_identity(struct aws_client *c, char **account,
    char **arn);

#endif

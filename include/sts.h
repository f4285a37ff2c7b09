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
 * both to free(), NULL on failure; either pointer may be NULL when not
 * wanted.  RR_ERR_CREDENTIALS when the credentials are refused
 * (InvalidClientTokenId, ...); RR_ERR_AWS when the reply has no Account or
 * Arn; and the errors of every call (aws.h).  Read-only: allowed in dry run.
 */
enum rr_err sts_get_caller_identity(struct aws_client *c, char **account,
    char **arn);

#endif

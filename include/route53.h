/*
 * route53.h - typed Amazon Route 53 calls (Route 53 API Reference, REST-XML
 * API 2013-04-01): read one record set, UPSERT it, follow the change.
 *
 * Hosted zone ids are accepted as "Z0123" or "/hostedzone/Z0123", change
 * ids as "C0123" or "/change/C0123".  Names compare case-insensitively and
 * without the trailing dot, after Route 53's \ooo escapes are decoded.
 * The client comes first, then outputs, then inputs.  Each call names its
 * operation in the Amazon Route 53 API Reference; besides the errors it
 * names, each can fail with the errors of every call (aws.h).
 */
#ifndef RR_ROUTE53_H
#define RR_ROUTE53_H

#include <stddef.h>

#include "aws.h"
#include "err.h"
#include "strvec.h"

/* Route 53 API Reference, ResourceRecordSet (simple routing). */
struct route53_record {
	char *name;		/* Name as returned: "db.example.com." */
	char *type;		/* Type: A, AAAA, CNAME, ... */
	long ttl;		/* TTL, seconds; -1 for an alias record */
	struct strvec values;   /* ResourceRecords[].Value, reply order */
	char *alias_dns_name;	/* AliasTarget.DNSName, NULL unless alias */
};

/*
 * ListResourceRecordSets?name=NAME&type=TYPE&maxitems=1 in zone_id and
 * keep the answer, in *out (route53_record_release), only when name and
 * type match exactly.  TYPE NULL: the first record set at NAME, in Route
 * 53's order (by type: A before AAAA before CNAME), whatever its type, in
 * one call.  RR_ERR_NOT_FOUND when there is no such record
 * (aws_client_error_code() is then "") or when the zone does not exist
 * (code "NoSuchHostedZone", and the message names the zone).
 */
enum rr_err route53_get_record(struct aws_client *c,
    struct route53_record *out, const char *zone_id, const char *name,
    const char *type);
/* Free what *r holds and zero it; accepts NULL. */
void route53_record_release(struct route53_record *r);

/*
 * ChangeResourceRecordSets in zone_id with one UPSERT of NAME TYPE TTL
 * (seconds) with a single value; comment may be NULL.  *change_id
 * ("C0123", to free()) is for route53_get_change.  RR_ERR_NOT_FOUND for
 * NoSuchHostedZone; RR_ERR_THROTTLED when the record's previous change
 * stays PENDING through the retries (PriorRequestNotComplete); RR_ERR_AWS
 * when the reply has no ChangeInfo/Id; RR_ERR_DRY_RUN in dry run.
 */
enum rr_err route53_upsert_record(struct aws_client *c, char **change_id,
    const char *zone_id, const char *name, const char *type, long ttl,
    const char *value, const char *comment);

/*
 * GetChange change_id: *status is "PENDING" or "INSYNC" (to free()).
 * RR_ERR_NOT_FOUND for NoSuchChange; RR_ERR_AWS when the reply has no
 * ChangeInfo/Status.
 */
enum rr_err route53_get_change(struct aws_client *c, char **status,
    const char *change_id);

#endif

/*
 * test-aws-error.c - the error-reply parser on the three protocols' error
 * shapes (RDS Query ErrorResponse, Route 53 REST-XML ErrorResponse, KMS
 * JSON 1.1 __type), as the AWS API references document them.
 */
#include <string.h>

#include "aws.h"
#include "tap.h"

int
main(void)
{
	struct aws_error e;
	const char *rds =
	    "<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
	    "<Error><Type>Sender</Type><Code>DBInstanceNotFound</Code>"
	    "<Message>DBInstance nope not found.</Message></Error>"
	    "<RequestId>5f1c2a9e-0000-4000-8000-000000000001</RequestId>"
	    "</ErrorResponse>";
	const char *r53 =
	    "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"https://route53."
	    "amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type>"
	    "<Code>NoSuchHostedZone</Code><Message>No hosted zone found with "
	    "ID: Z1</Message></Error><RequestId>r53-id</RequestId>"
	    "</ErrorResponse>";
	const char *kms = "{\"__type\":\"NotFoundException\",\"message\":"
	    "\"Alias arn:aws:kms:us-east-1:1:alias/x is not found.\"}";
	const char *kms_ns = "{\"__type\":\"com.amazonaws.kms#"
	    "DisabledException:http://internal\",\"Message\":\"off\"}";

	aws_error_parse(&e, 404, rds, strlen(rds), "hdr-id");
	is_int(e.http_status, 404, "rds: status kept");
	is_str(e.code, "DBInstanceNotFound", "rds: code");
	is_str(e.message, "DBInstance nope not found.", "rds: message");
	is_str(e.request_id, "5f1c2a9e-0000-4000-8000-000000000001",
	    "rds: body RequestId wins over the header");

	aws_error_parse(&e, 404, r53, strlen(r53), NULL);
	is_str(e.code, "NoSuchHostedZone", "route53: code");
	is_str(e.message, "No hosted zone found with ID: Z1",
	    "route53: message");
	is_str(e.request_id, "r53-id", "route53: request id");

	aws_error_parse(&e, 400, kms, strlen(kms), "kms-req-1");
	is_str(e.code, "NotFoundException", "kms: code");
	is_str(e.message, "Alias arn:aws:kms:us-east-1:1:alias/x is not found.",
	    "kms: message");
	is_str(e.request_id, "kms-req-1", "kms: request id from the header");

	aws_error_parse(&e, 400, kms_ns, strlen(kms_ns), NULL);
	is_str(e.code, "DisabledException",
	    "json: namespace and ':' suffix stripped from __type");
	is_str(e.message, "off", "json: Message also accepted");

	aws_error_parse(&e, 503, "Service Unavailable\n", 20, NULL);
	is_str(e.code, "", "plain text: no code");
	is_str(e.message, "Service Unavailable ", "plain text: excerpt kept");

	aws_error_parse(&e, 500, "<broken", 7, NULL);
	is_str(e.code, "", "broken xml: no code, no crash");

	aws_error_parse(&e, 502, NULL, 0, NULL);
	is_int(e.http_status, 502, "empty body: status only");
	is_str(e.message, "", "empty body: no message");

	ok(aws_action_is_mutating("CreateDBSnapshot") &&
	    aws_action_is_mutating("ChangeResourceRecordSets") &&
	    !aws_action_is_mutating("DescribeDBInstances") &&
	    !aws_action_is_mutating("ListResourceRecordSets") &&
	    !aws_action_is_mutating("GetChange"),
	    "mutating actions are those not Describe/List/Get");
	return tap_done();
}

/* sts.c - STS GetCallerIdentity over the Query API (see sts.h). */
#include <stdlib.h>

#include <libxml/tree.h>

#include "aws-int.h"
#include "sts.h"

enum rr_err
sts_get_caller_identity(struct aws_client *c, char **account, char **arn)
{
	xmlDoc *doc = NULL;
	xmlNode *res;
	char *acct = NULL, *a = NULL;
	enum rr_err e;

	if (account != NULL)
		*account = NULL;
	if (arn != NULL)
		*arn = NULL;
	if ((e = aws_query(c, &doc, AWS_SVC_STS, "GetCallerIdentity",
	    NULL)) != RR_OK)
		goto out;
	res = aws_xml_find(xmlDocGetRootElement(doc),
	    "GetCallerIdentityResult");
	acct = aws_xml_text(res, "Account");
	a = aws_xml_text(res, "Arn");
	if (acct == NULL || a == NULL) {
		e = rr_seterr(RR_ERR_AWS, "sts GetCallerIdentity: reply has no "
		    "Account or Arn");
		goto out;
	}
	if (account != NULL) {
		*account = acct;
		acct = NULL;	/* transferred */
	}
	if (arn != NULL) {
		*arn = a;
		a = NULL;	/* transferred */
	}
out:
	free(acct);
	free(a);
	xmlFreeDoc(doc);
	return e;
}

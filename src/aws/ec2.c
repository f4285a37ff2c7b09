/*
 * ec2.c - EC2 security groups over the EC2 Query protocol (see ec2.h).
 * EC2 differs from RDS's Query protocol in two ways botocore's EC2
 * serializer and parser spell out: a list parameter is Name.N whatever its
 * members are called (Filter.1.Value.1, TagSpecification.1.Tag.1.Key),
 * and the reply's members sit straight under <ActionResponse>, lists as
 * <item> elements, with no *Result wrapper.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "aws-int.h"
#include "ec2.h"
#include "xmalloc.h"

static int
is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static void
read_group(struct ec2_group *g, const xmlNode *item)
{
	const xmlNode *l, *c;

	g->id = aws_xml_text(item, "groupId");
	g->name = aws_xml_text(item, "groupName");
	g->vpc_id = aws_xml_text(item, "vpcId");
	if ((l = aws_xml_child(item, "ipPermissions")) != NULL)
		for (c = l->children; c != NULL; c = c->next)
			if (is_elem(c, "item"))
				g->n_inbound++;
	if ((l = aws_xml_child(item, "tagSet")) != NULL)
		for (c = l->children; c != NULL; c = c->next) {
			char *k, *v;

			if (!is_elem(c, "item"))
				continue;
			k = aws_xml_text(c, "key");
			v = aws_xml_text(c, "value");
			if (k != NULL)
				rds_tags_add(&g->tags, k, v);
			free(k);
			free(v);
		}
}

enum rr_err
ec2_find_group(struct aws_client *c, struct ec2_group *out, const char *name,
    const char *vpc_id)
{
	struct aws_params p = { 0 };
	xmlDoc *doc = NULL;
	const xmlNode *list, *it;
	enum rr_err e;

	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "Filter.1.Name", "group-name");
	aws_params_add(&p, "Filter.1.Value.1", name);
	aws_params_add(&p, "Filter.2.Name", "vpc-id");
	aws_params_add(&p, "Filter.2.Value.1", vpc_id);
	if ((e = aws_query(c, &doc, AWS_SVC_EC2, "DescribeSecurityGroups",
	         &p)) != RR_OK)
		goto out;
	list = aws_xml_find(xmlDocGetRootElement(doc), "securityGroupInfo");
	for (it = list ? list->children : NULL; it != NULL; it = it->next)
		if (is_elem(it, "item"))
			break;
	if (it == NULL) {
		e = rr_seterr(RR_ERR_NOT_FOUND,
		    "ec2: no security group '%s' in '%s'", name, vpc_id);
		goto out;
	}
	read_group(out, it);
	if (out->id == NULL) {
		ec2_group_release(out);
		e = rr_seterr(RR_ERR_AWS,
		    "ec2 DescribeSecurityGroups: a group without groupId");
	}
out:
	aws_params_release(&p);
	xmlFreeDoc(doc);
	return e;
}

enum rr_err
ec2_create_group(struct aws_client *c, char **id, const char *name,
    const char *description, const char *vpc_id, const struct rds_tags *tags)
{
	struct aws_params p = { 0 };
	xmlDoc *doc = NULL;
	size_t i;
	enum rr_err e;

	*id = NULL;
	aws_params_add(&p, "GroupName", name);
	aws_params_add(&p, "GroupDescription", description);
	aws_params_add(&p, "VpcId", vpc_id);
	if (tags != NULL && tags->n > 0) {
		aws_params_add(&p, "TagSpecification.1.ResourceType",
		    "security-group");
		for (i = 0; i < tags->n; i++) {
			aws_params_addf(&p, tags->v[i].key,
			    "TagSpecification.1.Tag.%zu.Key", i + 1);
			aws_params_addf(&p, tags->v[i].value,
			    "TagSpecification.1.Tag.%zu.Value", i + 1);
		}
	}
	if ((e = aws_query(c, &doc, AWS_SVC_EC2, "CreateSecurityGroup", &p)) !=
	    RR_OK)
		goto out;
	*id = aws_xml_text(xmlDocGetRootElement(doc), "groupId");
	if (*id == NULL)
		e = rr_seterr(RR_ERR_AWS,
		    "ec2 CreateSecurityGroup: reply has no groupId");
out:
	aws_params_release(&p);
	xmlFreeDoc(doc);
	return e;
}

void
ec2_group_release(struct ec2_group *g)
{
	if (g == NULL)
		return;
	free(g->id);
	free(g->name);
	free(g->vpc_id);
	rds_tags_release(&g->tags);
	memset(g, 0, sizeof(*g));
}

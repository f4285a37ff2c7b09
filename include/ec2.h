/*
 * ec2.h - the EC2 security groups rdsreconcile makes to isolate an old
 * source after the cut-over (Amazon EC2 API Reference, Query API
 * 2016-11-15: CreateSecurityGroup, DescribeSecurityGroups).  A group made
 * by CreateSecurityGroup has no inbound rule and one outbound rule
 * allowing all traffic (Amazon VPC User Guide, "Security group rules").
 */
#ifndef RR_EC2_H
#define RR_EC2_H

#include "aws.h"
#include "err.h"
#include "rds.h"

/* One security group as DescribeSecurityGroups shows it. */
struct ec2_group {
	char *id;             /* GroupId: sg-... */
	char *name;           /* GroupName */
	char *vpc_id;         /* VpcId */
	int n_inbound;        /* IpPermissions */
	struct rds_tags tags; /* Tags (key, value) */
};

/*
 * DescribeSecurityGroups with the filters group-name=name and
 * vpc-id=vpc_id: *out (ec2_group_release).  RR_ERR_NOT_FOUND when no
 * group matches (names are unique within a VPC).
 */
enum rr_err ec2_find_group(struct aws_client *c, struct ec2_group *out,
    const char *name, const char *vpc_id);

/*
 * CreateSecurityGroup name in vpc_id with description, tagged with tags
 * at creation (TagSpecifications, ResourceType security-group): *id, the
 * new GroupId, to free().  An existing group of that name in the VPC is
 * InvalidGroup.Duplicate (RR_ERR_AWS; the caller looks it up).
 */
enum rr_err ec2_create_group(struct aws_client *c, char **id, const char *name,
    const char *description, const char *vpc_id, const struct rds_tags *tags);

/* Free what *g holds and zero it; accepts NULL. */
void ec2_group_release(struct ec2_group *g);

#endif

"""Model-driven parsing and serialisation, checked against botocore's own
serializers (what SDKs send) and parsers (how SDKs read replies)."""

import datetime
import json
import unittest

from botocore import parsers, serialize
from botocore.loaders import Loader
from botocore.model import ServiceModel

import model

UTC = datetime.timezone.utc


def boto_model(service):
    return ServiceModel(Loader().load_service_model(service, "service-2"), service)


class QueryInput(unittest.TestCase):
    def setUp(self):
        self.m = model.get("rds")
        self.bm = boto_model("rds")

    def wire(self, op, params):
        body = serialize.create_serializer("query").serialize_to_request(
            params, self.bm.operation_model(op))["body"]
        body = dict(body)
        body.pop("Action")
        body.pop("Version")
        return {k: str(v) for k, v in body.items()}

    def roundtrip(self, op, params):
        got = model.parse_query(self.m, self.m.operations[op], self.wire(op, params))
        self.assertEqual(got, params)

    def test_lists_and_filters(self):
        self.roundtrip("DescribeDBInstances", {
            "Filters": [{"Name": "db-instance-id", "Values": ["a", "b"]},
                        {"Name": "engine", "Values": ["mariadb"]}],
            "MaxRecords": 20, "Marker": "m"})
        self.roundtrip("ModifyDBInstance", {
            "DBInstanceIdentifier": "x", "VpcSecurityGroupIds": ["sg-1", "sg-2"],
            "ApplyImmediately": True, "BackupRetentionPeriod": 0, "MultiAZ": False})
        self.roundtrip("ModifyDBParameterGroup", {
            "DBParameterGroupName": "pg", "Parameters": [
                {"ParameterName": "read_only", "ParameterValue": "1", "ApplyMethod": "immediate"}]})
        self.roundtrip("AddTagsToResource", {"ResourceName": "arn", "Tags": [{"Key": "k", "Value": "v"}]})
        self.roundtrip("RemoveTagsFromResource", {"ResourceName": "arn", "TagKeys": ["a", "b"]})
        self.roundtrip("DescribeEvents", {"StartTime": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
                                          "EventCategories": ["backup"]})

    def expect(self, kind, op, params):
        with self.assertRaises(model.InputError) as cm:
            model.parse_query(self.m, self.m.operations[op], params)
        self.assertEqual(cm.exception.kind, kind, cm.exception.message)

    def test_errors(self):
        self.expect("unknown", "DescribeDBInstances", {"Bogus": "1"})
        self.expect("unknown", "DescribeDBInstances", {"Filters.member.1.Name": "x"})
        self.expect("type", "DescribeDBInstances", {"MaxRecords": "abc"})
        self.expect("type", "ModifyDBInstance", {"DBInstanceIdentifier": "x", "ApplyImmediately": "yes"})
        self.expect("type", "DescribeEvents", {"StartTime": "yesterday"})
        self.expect("missing", "CreateDBSnapshot", {"DBInstanceIdentifier": "x"})
        self.expect("missing", "DescribeDBInstances", {"Filters.Filter.1.Name": "x"})
        self.expect("value", "DescribeEvents", {"SourceType": "db-bogus"})
        self.expect("value", "ModifyDBParameterGroup", {
            "DBParameterGroupName": "pg", "Parameters.Parameter.1.ParameterName": "a",
            "Parameters.Parameter.1.ApplyMethod": "later"})


class XmlOutput(unittest.TestCase):
    def parse(self, service, op, xml):
        bm = boto_model(service)
        parser = parsers.create_parser(bm.metadata["protocol"])
        out = parser.parse({"body": xml.encode(), "headers": {}, "status_code": 200},
                           bm.operation_model(op).output_shape)
        out.pop("ResponseMetadata", None)
        return out

    def test_query_roundtrip(self):
        m = model.get("rds")
        t = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
        value = {"DBInstances": [{
            "DBInstanceIdentifier": "a", "DBInstanceStatus": "available", "InstanceCreateTime": t,
            "Endpoint": {"Address": "127.0.10.2", "Port": 3306}, "MultiAZ": False, "StorageEncrypted": True,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}],
            "ReadReplicaDBInstanceIdentifiers": ["r1", "r2"], "TagList": [{"Key": "k", "Value": "<&>"}],
            "PendingModifiedValues": {"BackupRetentionPeriod": 1}}], "Marker": "next"}
        xml = ("<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">"
               "<DescribeDBInstancesResult>" + model.to_xml(m, "DBInstanceMessage", value) +
               "</DescribeDBInstancesResult></DescribeDBInstancesResponse>")
        self.assertEqual(self.parse("rds", "DescribeDBInstances", xml), value)

    def test_rest_xml_roundtrip(self):
        m = model.get("route53")
        value = {"ResourceRecordSets": [{"Name": "db.example.com.", "Type": "CNAME", "TTL": 5,
                                         "ResourceRecords": [{"Value": "x.example.com"}]}],
                 "IsTruncated": False, "MaxItems": "300"}
        xml = ("<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
               + model.to_xml(m, "ListResourceRecordSetsResponse", value) + "</ListResourceRecordSetsResponse>")
        self.assertEqual(self.parse("route53", "ListResourceRecordSets", xml), value)

    def test_unknown_member_is_a_bug(self):
        with self.assertRaises(KeyError):
            model.to_xml(model.get("rds"), "DBInstanceMessage", {"Nope": 1})


class RestXmlInput(unittest.TestCase):
    def test_change_batch(self):
        m, bm = model.get("route53"), boto_model("route53")
        params = {"HostedZoneId": "Z123", "ChangeBatch": {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "db.example.com.", "Type": "A", "TTL": 5, "ResourceRecords": [{"Value": "127.0.10.2"}]}}]}}
        req = serialize.create_serializer("rest-xml").serialize_to_request(
            params, bm.operation_model("ChangeResourceRecordSets"))
        op, labels = m.route(req["method"], req["url_path"])
        self.assertEqual(op["name"], "ChangeResourceRecordSets")
        got = model.parse_rest_xml(m, op, labels, "", list(req["headers"].items()), req["body"])
        self.assertEqual(got, params)

    def test_bad_enum(self):
        m = model.get("route53")
        op = m.operations["ChangeResourceRecordSets"]
        body = (b'<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
                b"<ChangeBatch><Changes><Change><Action>MERGE</Action><ResourceRecordSet><Name>a.</Name>"
                b"<Type>A</Type></ResourceRecordSet></Change></Changes></ChangeBatch>"
                b"</ChangeResourceRecordSetsRequest>")
        with self.assertRaises(model.InputError) as cm:
            model.parse_rest_xml(m, op, {"Id": "Z1"}, "", [], body)
        self.assertEqual(cm.exception.kind, "value")


class JsonInput(unittest.TestCase):
    def test_types(self):
        m = model.get("kms")
        op = m.operations["CreateKey"]
        got = model.parse_json(m, op, json.dumps({"Description": "d", "Tags": [
            {"TagKey": "k", "TagValue": "v"}], "MultiRegion": False}).encode())
        self.assertEqual(got["Tags"], [{"TagKey": "k", "TagValue": "v"}])
        for body, kind in (({"Description": 5}, "type"), ({"Nope": 1}, "unknown"),
                           ({"KeyUsage": "NOPE"}, "value"), ({"MultiRegion": "yes"}, "type")):
            with self.assertRaises(model.InputError) as cm:
                model.parse_json(m, op, json.dumps(body).encode())
            self.assertEqual(cm.exception.kind, kind)
        with self.assertRaises(model.InputError) as cm:
            model.parse_json(m, m.operations["DescribeKey"], b"{}")
        self.assertEqual(cm.exception.kind, "missing")


if __name__ == "__main__":
    unittest.main()

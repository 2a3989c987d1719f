from aws_cdk import assertions as A

from constructs_lib import DataClass, DataClassKey, NotificationTopic
from tests.helpers import new_stack


def test_topic_is_encrypted_tls_only_classified_and_mails_the_contacts():
    stack = new_stack()
    key = DataClassKey(stack, "Key", data_class=DataClass.OPERATIONS, alias_prefix="p")
    NotificationTopic(stack, "Topic", key=key, emails=["a@example.com", "b@example.com"])
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::SNS::Topic", {
        "KmsMasterKeyId": {"Fn::GetAtt": [A.Match.string_like_regexp("^Key"), "Arn"]},
        "Tags": A.Match.array_with([{"Key": "DataClassification", "Value": "operations"}])})
    template.has_resource_properties("AWS::SNS::TopicPolicy", {"PolicyDocument": {"Statement": A.Match.array_with([
        A.Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
    template.resource_count_is("AWS::SNS::Subscription", 2)
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "a@example.com"})

from aws_cdk import assertions as A
from aws_cdk import aws_ec2 as ec2
from constructs_lib import ApplicationServers, AutoScalingServiceRole, DataClass, DataClassKey, NotificationTopic
from tests.helpers import new_stack


def _servers(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False),
        ec2.SubnetConfiguration(name="Application", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)])
    key = DataClassKey(stack, "Key", data_class=DataClass.CUSTOMER, alias_prefix="p")
    topic_key = DataClassKey(stack, "TopicKey", data_class=DataClass.OPERATIONS, alias_prefix="p")
    return ApplicationServers(stack, "Servers", vpc=vpc, subnet_group="Application", instance_type="t3.small",
                              min_capacity=2, max_capacity=4, port=8080, volume_key=key,
                              notifications=NotificationTopic(stack, "Topic", key=topic_key, emails=["a@example.com"]),
                              auto_scaling_role=AutoScalingServiceRole(stack, "AutoScalingRole", suffix="p"))


def test_launch_template_is_hardened():
    stack = new_stack()
    _servers(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": A.Match.object_like({
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        "NetworkInterfaces": [A.Match.object_like({"AssociatePublicIpAddress": False, "DeviceIndex": 0})],
        "Monitoring": {"Enabled": True},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": A.Match.object_like({
            "Encrypted": True, "KmsKeyId": {"Fn::GetAtt": [A.Match.string_like_regexp("^Key"), "Arn"]}})}],
        "KeyName": A.Match.absent(),
        "UserData": A.Match.any_value(),
    })})


def test_user_data_points_chrony_at_amazon_time_sync():
    stack = new_stack()
    servers = _servers(stack)
    script = servers.launch_template.user_data.render()
    assert "server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4" in script
    assert "chronyc reload sources" in script


def test_servers_accept_only_what_is_allowed_and_send_only_https():
    stack = new_stack()
    servers = _servers(stack)
    template = A.Template.from_stack(stack)
    group = template.find_resources("AWS::EC2::SecurityGroup", {"Properties": {
        "GroupDescription": "Application servers: only the load balancer, only on the application port"}})
    (properties,) = [g["Properties"] for g in group.values()]
    assert "SecurityGroupIngress" not in properties
    assert properties["SecurityGroupEgress"] == [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS to AWS endpoints and package updates",
                                                  "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}]
    assert servers.port == 8080


def test_role_is_for_ssm_only_with_permissions_in_a_managed_policy():
    stack = new_stack()
    _servers(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [A.Match.object_like({"Principal": {"Service": "ec2.amazonaws.com"}})]},
        "ManagedPolicyArns": A.Match.array_with([{"Fn::Join": ["", A.Match.array_with([
            A.Match.string_like_regexp("AmazonSSMManagedInstanceCore")])]}]),
    })
    template.resource_count_is("AWS::IAM::Policy", 0)


def test_group_spans_the_application_subnets_and_notifies():
    stack = new_stack()
    _servers(stack)
    A.Template.from_stack(stack).has_resource_properties("AWS::AutoScaling::AutoScalingGroup", {
        "MinSize": "2", "MaxSize": "4", "HealthCheckType": "ELB",
        "NotificationConfigurations": [A.Match.object_like({"TopicARN": {"Ref": A.Match.string_like_regexp("^Topic")}})],
    })


ROLE_ARN = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_p"


def test_the_group_uses_its_own_service_linked_role():
    stack = new_stack()
    _servers(stack)
    template = A.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::ServiceLinkedRole", {
        "AWSServiceName": "autoscaling.amazonaws.com", "CustomSuffix": "p"})
    template.has_resource_properties("AWS::AutoScaling::AutoScalingGroup", {"ServiceLinkedRoleARN": ROLE_ARN})


def test_the_volume_and_topic_keys_let_that_role_use_them_once_it_exists():
    stack = new_stack()
    _servers(stack)
    template = A.Template.from_stack(stack)
    for key in ("Key", "TopicKey"):
        template.has_resource("AWS::KMS::Key", {
            "DependsOn": A.Match.array_with([A.Match.string_like_regexp("^AutoScalingRole")]),
            "Properties": {"KeyPolicy": {"Statement": A.Match.array_with([
                A.Match.object_like({"Sid": "AllowAutoScalingToUseTheKey", "Principal": {"AWS": ROLE_ARN},
                                     "Action": A.Match.array_with(["kms:Decrypt", "kms:GenerateDataKey*"])}),
                A.Match.object_like({"Sid": "AllowAutoScalingToGrantTheKeyToEc2", "Action": "kms:CreateGrant",
                                     "Principal": {"AWS": ROLE_ARN},
                                     "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}})])},
                "Tags": A.Match.any_value()}})


def test_servers_install_security_updates_at_boot_without_failing_it():
    stack = new_stack()
    script = _servers(stack).launch_template.user_data.render()
    assert "dnf -y upgrade --security --refresh || echo" in script

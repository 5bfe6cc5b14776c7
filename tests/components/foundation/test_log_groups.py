"""OBS-2 / NET-6: every log group in the stack, whoever creates it, is encrypted and expires."""

from __future__ import annotations

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def test_every_log_group_has_retention_and_a_kms_key(stack):
    log_groups = stack.of_type(LOG_GROUP)
    assert len(log_groups) >= 5  # flow logs and the data stores' exports at least
    for group in log_groups:
        assert group.inputs.get("retentionInDays", 0) > 0, group.name
        assert group.inputs.get("kmsKeyId", "").startswith("arn:aws:kms:"), group.name


def test_log_metric_filters_read_log_groups_of_the_stack(stack):
    names = {g.inputs["name"] for g in stack.of_type(LOG_GROUP)}
    filters = stack.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    assert filters
    assert all(f.inputs["logGroupName"] in names for f in filters)

"""How stateful resources survive their stack (the whitepaper's records, 18.1.3, 12.3.1)."""

import aws_cdk as cdk

KEEP = cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
"""Kept when the stack is deleted or the resource replaced; removed only when its own creation fails,
when it cannot hold data yet, so that a retry does not stop on a fixed name left behind."""

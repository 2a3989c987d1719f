"""The default app with one planted violation: the audit log group keeps events 180 days (12.4.1)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import app as project  # noqa: E402


def compose_with_violation(app, settings):
    project.build(app, settings)
    foundation = app.node.find_child("Foundation")
    foundation.audit_logs.node.default_child.retention_in_days = 180


if __name__ == "__main__":
    sys.exit(project.main(compose_with_violation))

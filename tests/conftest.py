import os

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def default_assembly() -> Path:
    """The default app, synthesized once per session in-process with every pack, as app.py builds it."""
    import app as project
    from config import load_environment
    from tests.helpers import new_app

    app = new_app()
    project.build(app, load_environment())
    app.synth()
    return Path(app.outdir)

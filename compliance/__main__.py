import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from compliance.cli import main  # noqa: E402

sys.exit(main())

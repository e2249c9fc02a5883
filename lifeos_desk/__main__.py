"""``python -m lifeos_desk``: same as the ``lifeos-desk`` command."""

import sys

from .cli import main

sys.exit(main())

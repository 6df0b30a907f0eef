"""Re-record a circuit's live rest runs: python -m tests.reward.recorded CIRCUIT."""

import sys

from . import record_rest

record_rest(sys.argv[1])

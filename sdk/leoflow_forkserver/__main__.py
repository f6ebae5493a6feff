"""Entry point of `python -m leoflow_forkserver` (requests on stdin, replies on stdout)."""
import sys

from leoflow.pycache import use_leoflow_pycache

use_leoflow_pycache()

from leoflow_forkserver.server import main  # noqa: E402  (after the cache prefix is set)

sys.exit(main())

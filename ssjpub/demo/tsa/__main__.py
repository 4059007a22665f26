"""python -m ssjpub.demo.tsa: a new demo TSA key and certificate and a new demo CA certificate
(ssjpub/demo/tsa/README.md). Run it only to replace them, then `make demo`."""

import sys

from ssjpub.demo.tsa import TSAUnavailable, new_keys

try:
    new_keys()
except TSAUnavailable as exc:
    sys.exit(str(exc))

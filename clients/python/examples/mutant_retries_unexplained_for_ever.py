#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: on iOS 26.1 it never stops trying.

The reference's behaviour before explore:281 found it (the sample had the guards; the port lacked
them). On iOS 26.1 a failed job shows neither error nor headers, so a refusal cannot be told from a
dropped connection. This twin takes every such failure for a dropped connection: it retries each
job in place and never counts the failures toward giving up. On explore:281 (count204AsFailure) a
photo's first upload was stored but its answer lost; every later PUT was answered 204, which iOS 26.1
shows as a bare failure, and the twin sent it again and again, 4 minutes apart, until the run was
cut: RTY-02 FAILs (tried again after 20 refusals in a row), and so do ACK-01 and CLD-02 (the cut left
a job unacknowledged). The reference retries such a job in place only while its resource has fewer
than UNEXPLAINED_RETRIES_IN_PLACE failed jobs, and counts each toward giving up, as the sample does::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_retries_unexplained_for_ever.py" \\
        --profiles conformance-tests/src/test/resources/styles-corpus/reference-RTY-02-seed-281.yaml --rules RTY-02
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable

# THE MISTAKE: a failure iOS 26.1 explains with nothing is always a dropped connection.
ref.retried_in_place = lambda entry: True
ref.counts_toward_giving_up = lambda job, kind: kind == ref.REFUSED

if __name__ == "__main__":
    up.run(ref.ReferenceExtension)

#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: its retry step ignores willTerminate.

The reference's behaviour before the lead ported the sample's fix (1811a10, explore:1574 on the Java
side): the retry step went through the whole RETRY set even after the notice, so a failed job that
needed fresh credentials made it sign in after the process was told to stop. On the pinned profile
the notice comes at the RETRY fetch of activation 15, the token endpoint answers through cloud.slow
36 s later, and the process is killed at the end of the 5 s grace: TRM-01 FAILs. The reference stops
the step at the flag (no sign-in, no new destination once told to stop)::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_retries_after_the_notice.py" \\
        --profiles conformance-tests/src/test/resources/styles-corpus/reference-TRM-01-retry-after-notice.yaml \\
        --seed 1574 --rules TRM-01
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable

_retry_step = ref.retry_step


# THE MISTAKE: the retry step never looks at the stop flag.
def _retry_step_blind(context, ledger, cloud, identity, cancelled):
    return _retry_step(context, ledger, cloud, identity, threading.Event())


ref.retry_step = _retry_step_blind

if __name__ == "__main__":
    up.run(ref.ReferenceExtension)

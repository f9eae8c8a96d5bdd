#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: it never acknowledges failed jobs.

One mistake, on purpose: the acknowledge step still records what a failed job means in the
ledger, but leaves the job itself unacknowledged. The job keeps its place under the job limit,
is presented again on every call (a 50008 deferral on a device) and is never resolved, so upcert
fails ACK-01 ("every finished job is eventually acknowledged") on any profile whose network
fails a transfer, e.g.::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_never_acknowledges_failed.py" \\
        --profiles flaky-network --seed 1 --rules ACK

(the Java twin is Mutants.NeverAcknowledgesFailed in upcert's own tests).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable


class NeverAcknowledgesFailed(ref.Acknowledger):
    def commit_acknowledgements(self, jobs):
        # THE MISTAKE: "a failed job will be retried anyway", so only succeeded jobs are acknowledged.
        return super().commit_acknowledgements([job for job in jobs if job.state != up.JobState.FAILED])


# ProcessingRound makes its acknowledger from this name.
ref.Acknowledger = NeverAcknowledgesFailed

if __name__ == "__main__":
    up.run(ref.ReferenceExtension)

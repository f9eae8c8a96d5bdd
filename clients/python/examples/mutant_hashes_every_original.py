#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: it hashes every original at every call.

One mistake, on purpose: before anything else, every call reads every original of the library
(``request_data``) and hashes it, to skip content the server already has. Reading an original
costs the device time by its declared size (upcert: 50 MB/s), so on a library of gigabytes every
call meets the 60 s runtime limit and is killed before it creates a job: nothing is uploaded.
upcert fails E2E-01 on the memory-and-cpu profile (1,500 assets, 16 to 25 GB)::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_hashes_every_original.py" \\
        --profiles memory-and-cpu --seed 1 --rules E2E-01

The cost is charged by the harness at the API call, so it is the same here as for a Java
extension in process or in its worker.
"""

import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable


class HashesEveryOriginal(ref.ReferenceExtension):
    def process_jobs(self, context: up.ExtensionContext) -> up.ProcessingResult:
        digest = hashlib.sha256()
        for asset in context.library.fetch_assets():
            for resource in asset.resources:
                try:
                    digest.update(context.library.request_data(resource))  # THE MISTAKE: every original, every call
                except up.PhotosError:
                    pass  # deleted meanwhile
        return super().process_jobs(context)


if __name__ == "__main__":
    up.run(HashesEveryOriginal)

#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: it reads response headers by their
canonical names (``X-Object-Id``, ``ETag``) instead of the lowercase names the system presents.

On a device the lookup finds nothing and the server's object id is lost; upcert sees the lookup
(the client reports every lookup by name) and fails CLD-01 on any run with a succeeded job::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_canonical_header_names.py" \\
        --profiles baseline --seed 1 --rules CLD-01

It shows that the Python client reports header lookups as the Java API does (WatchedHeaders).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable


def server_id(job):
    headers = job.response_header_fields
    if headers is None:
        return ""
    # THE MISTAKE: HTTP's canonical spelling; the system lowercases every name.
    return (headers.get("X-Object-Id") or headers.get("ETag") or "").strip()


ref.GenericPut.server_id = staticmethod(server_id)

if __name__ == "__main__":
    up.run(ref.ReferenceExtension)

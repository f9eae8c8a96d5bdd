#!/usr/bin/env python3
"""A mutant of the reference extension that must NOT certify: it trusts a scan that found nothing.

One mistake, on purpose: when ``fetch_assets()`` returns no asset, it concludes "no photos yet",
stores the change token as after any scan and answers as usual. PhotoKit inside an extension
"returns nothing at times" (YAIIU #50); the first scan of a backup that meets it records an empty
library, and from then on only changes are read: the photos already there are never uploaded.
upcert fails RES-01 (COMPLETED while work remains) and E2E-01 (photos lost) on the library-churn
profile, whose first call's scan is answered with nothing (``library.flaky``)::

    ./upcert certify --extension-cmd "python3 clients/python/examples/mutant_trusts_an_empty_scan.py" \\
        --profiles library-churn --seed 1 --rules RES-01,E2E-01

(the reference extension itself, and the Java sample, answer nothing from such a scan: no token
stored, the next call scans again).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_extension as ref  # noqa: E402 - after the path
import upcert_extension as up  # noqa: E402 - reference_extension made it importable


class TrustsAnEmptyScan(ref.Discovery):
    def _full_scan(self, context, ledger, kind):
        before = context.library.current_change_token()
        result = super()._full_scan(context, ledger, kind)
        if result.kind == "NOTHING_FOUND":
            # THE MISTAKE: "the library is empty": the scan is trusted and its token stored.
            context.storage.write_string(ref.TOKEN_FILE, before.encoded)
            self.token = before
            return ref.DiscoveryResult(kind, 0, 0, 0)
        return result


# The extension makes its discovery from this name.
ref.Discovery = TrustsAnEmptyScan

if __name__ == "__main__":
    up.run(ref.ReferenceExtension)

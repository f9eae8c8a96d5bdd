"""Twin of cleanroom_put_extension.py that records a create block only after its commit.

The order most first drafts use: create the jobs, then write the state file. A kill after the
commit and before the write leaves the resources "to upload" in the app group while their jobs
exist, and the next process makes second jobs for them: DUP-01 FAIL on ``kills-after-commit``
(CleanRoomPutExtensionAcceptanceTest). Everything else is the clean-room style unchanged.
"""

import cleanroom_put_extension as style
import upcert_extension as up

style.INTENT_FIRST = False

if __name__ == "__main__":
    up.run(style.CleanRoomPutExtension)

#!/usr/bin/env python3
"""The Python twin of conformance-tests' styles/DownloadProbe: at every call, a download-only job
(iOS 26.4) for the library's first original, without checking the OS level; logs what came back in
the Java probe's words, so traces can be compared across hosting modes."""

import upcert_extension as up


class DownloadProbe(up.UploadExtension):
    def process_jobs(self, context):
        library = context.library
        for asset in library.fetch_assets():
            try:
                library.perform_changes(lambda changes: changes.create_download_job(asset.resources[0]))
                context.log.info("download-only job created")
            except up.UnavailableError:
                context.log.info("no download-only job: UnsupportedOperationException")
            except up.PhotosError:
                context.log.info("no download-only job: PhotosException")
            break
        return up.ProcessingResult.COMPLETED

    def will_terminate(self):
        pass


if __name__ == "__main__":
    up.run(DownloadProbe)

#!/usr/bin/env python3
"""The Python twin of conformance-tests' OsLevelProbe: calls what iOS 26.1 lacks, once each, and
logs what happened, so the refusals can be compared across hosting modes."""

import upcert_extension as up


def probe(context, what, call):
    try:
        call()
        context.log.info("%s: available" % what)
    except up.UnavailableError:
        context.log.info("%s: unavailable" % what)
    except Exception:  # noqa: BLE001 - the probe logs whatever else happened
        context.log.info("%s: failed" % what)


class OsLevelProbe(up.UploadExtension):
    def process_jobs(self, context):
        library = context.library
        if context.storage.read_string("created") is None:
            resource = library.fetch_assets()[0].resources[0]
            created = ["unset"]

            def create(changes):
                created[0] = changes.create_job(resource, up.UploadRequest.put(context.upload_url_base + "files/probe")
                                                .with_header("X-Resource-Key", resource.key()))
            try:
                library.perform_changes(create)
            except up.PhotosError:
                context.log.warn("create rejected")
            context.log.info("os %s: createJob returned %s" % (context.os_version,
                                                                 "null" if created[0] is None else created[0]))
            context.storage.write_string("created", "yes")
            return up.ProcessingResult.PROCESSING
        finished = library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        if not finished:
            return up.ProcessingResult.PROCESSING  # not finished, or its success not shown yet (the fetch-set lag)
        for job in finished:
            probe(context, "type", lambda: job.type)
            probe(context, "error", lambda: job.error)
            probe(context, "responseHeaderFields", lambda: job.response_header_fields)
            probe(context, "cancel", lambda: library.perform_changes(lambda changes: changes.cancel(job)))
            probe(context, "fetchJobs(PROCESS)", lambda: library.fetch_jobs(up.JobAction.PROCESS))
            probe(context, "assetResource", lambda: library.asset_resource(job))
        try:
            library.perform_changes(lambda changes: [changes.acknowledge(job) for job in finished])
        except up.PhotosError:
            context.log.warn("acknowledge rejected")
        return up.ProcessingResult.COMPLETED

    def will_terminate(self):
        pass


if __name__ == "__main__":
    up.run(OsLevelProbe)

#!/usr/bin/env python3
"""The Python twin of conformance-tests' ApiAdditionsProbe: uses what issue 16 added for authors
(context.cloud_settings, library.fetch_resource, a rejected block caught by its type) and logs
what it saw, so every hosting mode can be compared."""

from urllib.parse import urlparse

import upcert_extension as up


def path(url):
    return "none" if url is None else urlparse(url).path


class ApiAdditionsProbe(up.UploadExtension):
    def process_jobs(self, context):
        library = context.library
        cloud = context.cloud_settings
        context.log.info("cloud %s, token endpoint %s, api endpoint %s" % (cloud.dialect, path(cloud.token_url),
                                                                           path(cloud.api_url)))
        finished = library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        if finished:
            for job in finished:
                if job.response_header_fields is not None:
                    # a defensive copy of the headers: a read of them (CLD-01 exercised)
                    copy = dict(job.response_header_fields.items())
                    context.log.info("copied headers name www-authenticate: %s" % ("true" if "www-authenticate" in copy else "false"))
            try:
                library.perform_changes(lambda changes: [changes.acknowledge(job) for job in finished])
            except up.PhotosError as e:
                context.log.warn("acknowledge rejected: %s" % e.code.name)
            return up.ProcessingResult.COMPLETED
        assets = library.fetch_assets()
        if context.storage.read_string("probe/done") is not None or not assets:
            return up.ProcessingResult.COMPLETED
        first = assets[0].resources[0]
        again = library.fetch_resource(first.key())
        context.log.info("fetchResource(stored key): %s" % ("the same resource" if again == first else "different: %r" % again))
        context.log.info("fetchResource(key of no asset): %s"
                         % ("empty" if library.fetch_resource("NO-SUCH-ASSET/L0/001#PHOTO") is None else "found"))
        try:
            library.fetch_resource("not a key")
            context.log.info("fetchResource(malformed): accepted")
        except ValueError:
            context.log.info("fetchResource(malformed): refused")
        three = [r for asset in assets for r in asset.resources][:3]
        try:
            create(context, three)
            context.log.info("three creates: committed")
        except up.LimitExceededError as e:
            context.log.info("three creates: rejected as LimitExceeded (%s)" % e.code.name)
        except up.PhotosError as e:
            context.log.info("three creates: rejected as another PhotosException (%s)" % e.code.name)
        try:
            create(context, three[:2])
            context.log.info("two creates: committed")
        except up.PhotosError as e:
            context.log.info("two creates: rejected (%s)" % e.code.name)
        context.storage.write_string("probe/done", "yes")
        return up.ProcessingResult.PROCESSING

    def will_terminate(self):
        pass


def create(context, resources):
    def block(changes):
        for resource in resources:
            changes.create_job(resource, up.UploadRequest.put(
                context.upload_url_base + "files/" + resource.key().replace("#", "-").replace("/", "-"))
                .with_header("Authorization", "Bearer none"))
    context.library.perform_changes(block)


if __name__ == "__main__":
    up.run(ApiAdditionsProbe)

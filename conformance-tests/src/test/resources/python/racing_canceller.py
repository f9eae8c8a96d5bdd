#!/usr/bin/env python3
"""The Python twin of conformance-tests' RacingCanceller (same API calls, same order, same log
lines): in its second call it cancels every job it saw in flight after spending a few simulated
seconds, so the system finishes some of them before the commit; those cancellations are dropped
and reported in the block's outcome, the rest commits. Used to show that --extension-cmd hosting
writes the same trace as the JVM (ChangesThatCannotApplyTest)."""

import re

import upcert_extension as up

BURN = 1500


def encode(text):
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-._~"):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def destination(context, resource):
    base = context.upload_url_base if context.upload_url_base.endswith("/") else context.upload_url_base + "/"
    url = "%sfiles/%s/%s/%s" % (base, encode(resource.asset_local_identifier), resource.type.name,
                                encode(resource.original_filename))
    return up.UploadRequest.put(url).with_header("X-Resource-Key", resource.key())


def sign_in(context):
    config = context.configuration
    form = "grant_type=client_credentials&client_id=%s&client_secret=%s" % (config["cloud.clientId"],
                                                                          config["cloud.clientSecret"])
    try:
        response = context.http.send(up.UploadRequest.post(config["cloud.tokenUrl"])
                                     .with_header("Content-Type", "application/x-www-form-urlencoded"), form)
    except up.TransportError:
        return None
    token = re.search(r'"access_token"\s*:\s*"([^"]+)"', response.body_text())
    return token.group(1) if response.status == 200 and token else None


def key(job):
    return job.destination.header("X-Resource-Key")


def lines(text):
    return [line for line in text.split("\n") if line.strip()]


class RacingCanceller(up.UploadExtension):
    def process_jobs(self, context):
        library = context.library
        call = int(context.storage.read_string("calls") or "0") + 1
        context.storage.write_string("calls", str(call))
        uploaded = set(lines(context.storage.read_string("uploaded") or ""))
        consent = (library.authorization_status() == up.AuthorizationStatus.AUTHORIZED
                   and library.is_upload_job_extension_enabled())

        finished = library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        in_flight = library.fetch_jobs(up.JobAction.PROCESS) if consent else []
        for job in finished:
            if job.state == up.JobState.SUCCEEDED:
                uploaded.add(key(job))
        context.storage.write_string("uploaded", "\n".join(sorted(uploaded)))

        cancel = []
        if call == 2 and in_flight:
            for _ in range(BURN):
                library.job_limit()  # time passes; transfers end meanwhile
            cancel.extend(in_flight)

        def racing(changes):
            for job in finished:
                changes.acknowledge(job)
            for job in cancel:
                changes.cancel(job)
        try:
            outcome = library.perform_changes(racing)
        except up.PhotosError as e:
            context.log.warn("block rejected: %s" % e)
            return up.ProcessingResult.PROCESSING
        dropped_jobs = set()
        for dropped in outcome.dropped:
            state = "" if dropped.state is None else ", " + dropped.state.name
            context.log.info("dropped: %s %s dropped (%s%s): %s" % (dropped.change, dropped.job, dropped.code.name, state,
                                                                     dropped.reason))
            dropped_jobs.add(dropped.job)
        if cancel:
            context.log.info("cancelled %d of %d, %d dropped, %d changes applied" % (
                len(cancel) - len(dropped_jobs), len(cancel), len(dropped_jobs), outcome.applied))
        late = library.fetch_jobs(up.JobAction.ACKNOWLEDGE)
        if late:
            for job in late:
                if job.state == up.JobState.SUCCEEDED:
                    uploaded.add(key(job))
            context.storage.write_string("uploaded", "\n".join(sorted(uploaded)))
            try:
                library.perform_changes(lambda changes: [changes.acknowledge(job) for job in late])
            except up.PhotosError:
                return up.ProcessingResult.PROCESSING
        if not consent:
            return up.ProcessingResult.COMPLETED
        running = {key(job) for job in library.fetch_jobs(up.JobAction.PROCESS)}
        capacity = library.job_limit() - len(running)
        wanted = {}
        for asset in library.fetch_assets():
            for resource in asset.resources:
                if resource.key() not in uploaded and resource.key() not in running:
                    wanted[resource.key()] = resource
        create = [wanted[k] for k in sorted(wanted)][:max(0, min(capacity, len(wanted)))]
        if create:
            token = sign_in(context)
            if token is None:
                return up.ProcessingResult.PROCESSING
            try:
                library.perform_changes(lambda changes: [changes.create_job(resource, destination(context, resource)
                                                                            .with_header("Authorization", "Bearer " + token))
                                                         for resource in create])
            except up.PhotosError:
                return up.ProcessingResult.PROCESSING
        done = not running and not create and not wanted
        return up.ProcessingResult.COMPLETED if done else up.ProcessingResult.PROCESSING

    def will_terminate(self):
        pass


if __name__ == "__main__":
    up.run(RacingCanceller)

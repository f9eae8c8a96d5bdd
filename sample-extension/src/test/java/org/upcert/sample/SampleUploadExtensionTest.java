package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;

class SampleUploadExtensionTest {

    private final FakeSystem system = new FakeSystem();

    private void library(int assets) {
        for (int i = 0; i < assets; i++) {
            system.library.add(i % 3 == 2 ? FakeSystem.livePhoto(String.format("A%03d/L0/001", i), i)
                    : FakeSystem.photo(String.format("A%03d/L0/001", i), i));
        }
    }

    private TreeSet<String> libraryKeys() {
        TreeSet<String> keys = new TreeSet<>();
        system.library.assets.values().forEach(asset -> asset.resources().forEach(r -> keys.add(r.key())));
        return keys;
    }

    private void assertBackedUpExactlyOnce() {
        assertEquals(List.of(), system.violations);
        assertEquals(libraryKeys(), new TreeSet<>(system.uploadsByKey.keySet()), "every resource in the cloud");
        system.uploadsByKey.forEach((key, count) -> assertEquals(1, count, "uploads of " + key));
        assertEquals(List.of(), system.unacknowledged().stream().map(job -> job.id + " " + job.state).toList());
    }

    @Test
    void isFoundByServiceLoader() {
        List<UploadExtension> found = ServiceLoader.load(UploadExtension.class).stream().map(ServiceLoader.Provider::get).toList();
        assertEquals(1, found.size());
        assertTrue(found.get(0) instanceof SampleUploadExtension);
    }

    @Test
    void backsUpTheWholeLibraryWithinTheJobLimit() {
        library(12); // 16 resources
        system.library.jobLimit = 5;
        List<ProcessingResult> results = system.runUntilCompleted(SampleUploadExtension::new, 30);
        assertBackedUpExactlyOnce();
        assertEquals(ProcessingResult.COMPLETED, results.get(results.size() - 1));
        assertTrue(results.subList(0, results.size() - 1).stream().allMatch(r -> r == ProcessingResult.PROCESSING), results.toString());
        assertEquals(16, system.library.createdJobs);
        assertEquals(0, system.library.rejectedBlocks, "never over the limit");
        assertEquals(1, system.signIns, "one token for the whole backup");
        assertTrue(system.log.size() <= 4 * results.size(), "a few log lines per call, not one per job: " + system.log.size());
        // Oldest first: the first call's jobs are the oldest assets' resources.
        List<String> firstJobs = system.library.jobs.values().stream().limit(5).map(job -> job.resource.key()).toList();
        assertEquals(List.of("A000/L0/001#PHOTO", "A001/L0/001#PHOTO", "A002/L0/001#PHOTO", "A002/L0/001#PAIRED_VIDEO",
                "A003/L0/001#PHOTO"), firstJobs);
        // The server ids were kept from the lowercase response headers.
        Ledger ledger = Ledger.load(system.storage.copy());
        assertTrue(ledger.all().stream().allMatch(e -> e.serverId().startsWith("obj-")), ledger.all().toString());
    }

    @Test
    void anAssetAddedDuringTheBackupIsUploadedToo() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        assertEquals(ProcessingResult.PROCESSING, system.call(extension));
        system.library.add(FakeSystem.photo("NEW/L0/001", 500));
        system.deliver();
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
        assertTrue(system.uploadsByKey.containsKey("NEW/L0/001#PHOTO"));
    }

    @Test
    void anExpiredChangeTokenWhoseRescanFindsNothingIsNeverCompleted() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
        // Everything known is uploaded; the history is pruned and the rescan meets a library that
        // answers nothing (found by the hydrating style on library-churn, seed 2: COMPLETED, CHG-01).
        system.library.add(FakeSystem.photo("NEW/L0/001", 600));
        system.library.expiredBelow = system.library.history.size();
        system.library.emptyScans = 1;
        ProcessingResult answer = system.call(extension);
        assertTrue(answer != ProcessingResult.COMPLETED, "not up to date with the library after an expired token: " + answer);
        system.runUntilCompleted(() -> extension, 10);
        assertTrue(system.uploadsByKey.containsKey("NEW/L0/001#PHOTO"), "the next call resynchronises and finds it");
    }

    @Test
    void anExpiredChangeTokenMeansResyncAndProcessing() {
        library(4);
        UploadExtension extension = new SampleUploadExtension();
        system.library.jobLimit = 2;
        assertEquals(ProcessingResult.PROCESSING, system.call(extension));
        // While history is lost: one asset added, one deleted with its job in flight, one deleted
        // before its upload.
        system.library.add(FakeSystem.photo("NEW/L0/001", 600));
        system.library.delete("A000/L0/001"); // job in flight
        system.library.delete("A002/L0/001"); // not uploaded yet
        system.library.expiredBelow = system.library.history.size();
        assertEquals(ProcessingResult.PROCESSING, system.call(extension));
        assertTrue(system.log.stream().anyMatch(line -> line.contains("change token expired")), String.join("\n", system.log));
        assertEquals(List.of("A000/L0/001#PHOTO"), system.library.jobs.values().stream()
                .filter(job -> job.state == JobState.CANCELLED).map(job -> job.resource.key()).toList(),
                "the deleted asset's in-flight job is cancelled (E2E-03)");
        system.runUntilCompleted(() -> extension, 10);
        assertEquals(List.of(), system.violations);
        assertEquals(new TreeSet<>(List.of("A001/L0/001#PHOTO", "A003/L0/001#PHOTO", "NEW/L0/001#PHOTO")),
                new TreeSet<>(system.uploadsByKey.keySet()));
        Ledger ledger = Ledger.load(system.storage.copy());
        assertEquals(ResourceStatus.GONE, ledger.get("A002/L0/001#PHOTO").orElseThrow().status());
    }

    @Test
    void aReusedInstanceForgetsTheLastTerminationRequest() {
        library(10);
        system.library.jobLimit = 3;
        UploadExtension extension = new SampleUploadExtension();
        system.terminateAtCall = 6; // during the first call, after discovery started
        assertEquals(ProcessingResult.PROCESSING, system.call(extension));
        // Discovery finishes its few bounded calls (scan, re-check access, one append, token),
        // then the flag is seen before any job change.
        assertTrue(system.callsAfterTermination <= 5, "returned promptly: " + system.callsAfterTermination + " calls after notice");
        assertEquals(0, system.changesAfterTermination);
        system.terminateAtCall = -1;
        // Same instance, next call: the flag from the last call must not stop this one.
        system.runUntilCompleted(() -> extension, 30);
        assertBackedUpExactlyOnce();
    }

    @Test
    void terminationBetweenCreateBlocksStopsCreating() {
        library(60);
        system.library.jobLimit = 100;
        UploadExtension extension = new SampleUploadExtension();
        assertEquals(ProcessingResult.PROCESSING, system.call(extension)); // creates 80 jobs in blocks of 20
        assertEquals(80, system.library.createdJobs);
        system.deliver();
        long before = system.apiCalls;
        system.library.add(FakeSystem.photo("NEW/L0/001", 700)); // so the next call has something to create
        // Ack step and first create block happen; the notice arrives at the first create block.
        system.terminateAtCall = before + 11;
        assertEquals(ProcessingResult.PROCESSING, system.call(extension));
        assertTrue(system.changesAfterTermination <= 1, "at most the block in progress: " + system.changesAfterTermination);
        system.terminateAtCall = -1;
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    @Test
    void withoutConsentItAcknowledgesButCreatesNothing() {
        library(6);
        system.library.jobLimit = 4;
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        system.faults = job -> job.resource.key().startsWith("A001") ? FakeSystem.Delivery.failed(
                UploadError.transport(UploadError.TIMED_OUT, "timeout")) : null;
        system.deliver();
        system.faults = job -> null;
        system.library.status = AuthorizationStatus.LIMITED;
        int created = system.library.createdJobs;
        assertEquals(ProcessingResult.COMPLETED, system.call(extension));
        assertEquals(created, system.library.createdJobs, "CNS-01");
        assertEquals(List.of(), system.unacknowledged().stream().map(job -> job.id).toList(), "presented jobs acknowledged");
        assertTrue(system.library.jobs.values().stream().noneMatch(job -> job.retried), "no retry without consent");
        // Consent returns: the backup resumes and converges (CNS-02).
        system.library.status = AuthorizationStatus.AUTHORIZED;
        system.runUntilCompleted(() -> extension, 20);
        assertBackedUpExactlyOnce();
    }

    @Test
    void accessWithdrawnDuringTheFirstScanRecordsNothingAndCreatesNothing() {
        library(4);
        UploadExtension extension = new SampleUploadExtension();
        // Access is downgraded right after the first scan's fetchAssets, as a user could.
        FakeSystem.Library library = system.library;
        ProcessingResult result = system.call(new UploadExtension() {
            @Override
            public ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
                return extension.processJobs(new org.upcert.api.ExtensionContext() {
                    @Override
                    public org.upcert.api.PhotoLibrary library() {
                        return new DowngradingLibrary(library);
                    }

                    @Override
                    public org.upcert.api.AppGroupStorage storage() {
                        return context.storage();
                    }

                    @Override
                    public java.time.Clock clock() {
                        return context.clock();
                    }

                    @Override
                    public java.net.URI uploadUrlBase() {
                        return context.uploadUrlBase();
                    }

                    @Override
                    public org.upcert.api.ExtensionHttp http() {
                        return context.http();
                    }

                    @Override
                    public org.upcert.api.ExtensionLog log() {
                        return context.log();
                    }

                    @Override
                    public java.util.SortedMap<String, String> configuration() {
                        return context.configuration();
                    }
                });
            }

            @Override
            public void willTerminate() {
                extension.willTerminate();
            }
        });
        assertEquals(ProcessingResult.COMPLETED, result);
        assertEquals(0, system.library.createdJobs);
        assertTrue(system.storage.names().stream().noneMatch(name -> name.startsWith("ledger/")), system.storage.names().toString());
        // Access comes back: a normal first scan.
        system.library.status = AuthorizationStatus.AUTHORIZED;
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    /** Downgrades access to LIMITED as soon as the full scan has been read. */
    private static final class DowngradingLibrary implements org.upcert.api.PhotoLibrary {
        private final FakeSystem.Library real;

        DowngradingLibrary(FakeSystem.Library real) {
            this.real = real;
        }

        @Override
        public AuthorizationStatus authorizationStatus() {
            return real.authorizationStatus();
        }

        @Override
        public boolean isUploadJobExtensionEnabled() {
            return real.isUploadJobExtensionEnabled();
        }

        @Override
        public List<org.upcert.api.Asset> fetchAssets() {
            List<org.upcert.api.Asset> partial = real.fetchAssets().subList(0, 1);
            real.status = AuthorizationStatus.LIMITED;
            return partial;
        }

        @Override
        public List<org.upcert.api.Asset> fetchAssets(java.util.Collection<String> ids) {
            return real.fetchAssets(ids);
        }

        @Override
        public org.upcert.api.ChangeToken currentChangeToken() {
            return real.currentChangeToken();
        }

        @Override
        public List<org.upcert.api.PersistentChange> fetchPersistentChanges(org.upcert.api.ChangeToken token)
                throws org.upcert.api.PhotosException {
            return real.fetchPersistentChanges(token);
        }

        @Override
        public int jobLimit() {
            return real.jobLimit();
        }

        @Override
        public List<org.upcert.api.UploadJob> fetchJobs(org.upcert.api.JobAction action) {
            return real.fetchJobs(action);
        }

        @Override
        public java.util.Optional<org.upcert.api.AssetResource> assetResource(org.upcert.api.UploadJob job) {
            return real.assetResource(job);
        }

        @Override
        public void performChanges(org.upcert.api.JobChangeBlock block) throws org.upcert.api.PhotosException {
            real.performChanges(block);
        }
    }

    @Test
    void retriesNetworkLevelFailuresWithTheOriginalDestination() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        system.faults = job -> job.resource.key().equals("A001/L0/001#PHOTO") && !job.retried
                ? FakeSystem.Delivery.failed(UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "lost")) : null;
        system.deliver();
        FakeSystem.JobRecord failed = system.library.jobs.values().stream()
                .filter(job -> job.resource.key().equals("A001/L0/001#PHOTO")).findFirst().orElseThrow();
        var original = failed.destination;
        system.call(extension);
        assertTrue(failed.retried);
        assertFalse(failed.acknowledged, "JOB-05: retried, so not acknowledged in the same call");
        assertEquals(original, failed.destination);
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    @Test
    void anExpiredTokenIsRetriedWithFreshCredentials() {
        library(2);
        system.tokenLifetime = Duration.ofHours(1);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        system.clock.advance(Duration.ofHours(2)); // the transfers start after the token expired
        system.deliver();
        assertTrue(system.library.jobs.values().stream().allMatch(job -> job.state == JobState.FAILED));
        system.call(extension);
        assertTrue(system.library.jobs.values().stream().allMatch(job -> job.retried));
        assertTrue(system.library.jobs.values().stream()
                .allMatch(job -> job.destination.header("Authorization").orElseThrow().equals("Bearer tok-002")));
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
        assertEquals(2, system.signIns);
    }

    @Test
    void aRefusalIsNotResentAsIsButTriedAgainLaterWithANewJob() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        // A 503 and a 400 look alike on a device: a refusal with headers, no status.
        boolean[] refused = {false};
        system.faults = job -> {
            if (job.resource.key().equals("A001/L0/001#PHOTO") && !refused[0]) {
                refused[0] = true;
                return FakeSystem.Delivery.failed(UploadError.httpStatus(503));
            }
            return null;
        };
        system.deliver();
        system.call(extension);
        assertTrue(system.library.jobs.values().stream().noneMatch(job -> job.retried), "RTY-02: never retry(job, nil) after a refusal");
        system.faults = job -> null;
        system.runUntilCompleted(() -> extension, 20);
        assertBackedUpExactlyOnce();
        assertEquals(2, system.library.jobs.values().stream().filter(job -> job.resource.key().startsWith("A001")).count(),
                "RTY-01: a new job after the wait");
    }

    @Test
    void aResourceTheServerKeepsRefusingIsGivenUpOnlyAfterHalfAnHour() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        system.faults = job -> job.resource.key().equals("A001/L0/001#PHOTO")
                ? FakeSystem.Delivery.failed(UploadError.httpStatus(413)) : null;
        Instant start = system.clock.instant();
        system.runUntilCompleted(() -> extension, 400);
        assertEquals(List.of(), system.violations);
        List<FakeSystem.JobRecord> jobs = system.library.jobs.values().stream()
                .filter(job -> job.resource.key().startsWith("A001")).toList();
        assertTrue(jobs.size() >= RetryPolicy.GIVE_UP_REFUSALS && jobs.size() < 20,
                "RTY-02: bounded, and at least the refusals giving up needs: " + jobs.size());
        assertTrue(jobs.stream().noneMatch(job -> job.retried), "RTY-02: no refused request resent as is");
        assertTrue(Duration.between(start, system.clock.instant()).compareTo(RetryPolicy.GIVE_UP_SPAN) >= 0,
                "not given up within a burst");
        Ledger ledger = Ledger.load(system.storage.copy());
        assertEquals(ResourceStatus.ABANDONED, ledger.get("A001/L0/001#PHOTO").orElseThrow().status());
        assertTrue(system.log.stream().anyMatch(line -> line.startsWith("WARN abandoned 1 resources: A001/L0/001#PHOTO")));
    }

    @Test
    void aBurstOfRefusalsLosesNothing() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        Instant burstEnds = system.clock.instant().plus(Duration.ofMinutes(20));
        system.faults = job -> system.clock.instant().isBefore(burstEnds) ? FakeSystem.Delivery.failed(UploadError.httpStatus(500)) : null;
        system.runUntilCompleted(() -> extension, 400);
        assertBackedUpExactlyOnce();
        assertEquals(List.of(), system.violations);
    }

    @Test
    void aSpentRetryLeadsToANewJobAfterTheServersRetryAfter() {
        library(1);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        int[] failures = {2};
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("retry-after", "120");
        system.faults = job -> failures[0]-- > 0
                ? FakeSystem.Delivery.failedWithHeaders(UploadError.httpStatus(503), headers) : null;
        system.deliver(); // failure 1 (Retry-After: no immediate retry, a new job after 120 s)
        system.call(extension);
        assertEquals(1, system.library.createdJobs, "RTY-04: nothing before Retry-After elapsed");
        system.clock.advance(Duration.ofSeconds(121));
        system.call(extension);
        assertEquals(2, system.library.createdJobs);
        system.deliver(); // failure 2
        system.faults = job -> null;
        system.clock.advance(Duration.ofSeconds(121));
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
        assertEquals(2, Ledger.load(system.storage.copy()).get("A000/L0/001#PHOTO").orElseThrow().attempts());
    }

    @Test
    void aSuccessReportedAsFailureIsNotUploadedAgain() {
        library(1);
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("x-object-id", "obj-quirk");
        system.faults = job -> FakeSystem.Delivery.failedWithHeaders(UploadError.httpStatus(204), headers);
        system.deliver();
        system.faults = job -> null;
        assertEquals(ProcessingResult.COMPLETED, system.call(extension));
        assertEquals(1, system.library.createdJobs);
        assertTrue(system.library.jobs.values().stream().noneMatch(job -> job.retried));
        assertEquals("obj-quirk", Ledger.load(system.storage.copy()).get("A000/L0/001#PHOTO").orElseThrow().serverId());
    }

    @Test
    void terminalJobsWithoutResourceAreStillIdentified() {
        library(5);
        system.library.hideResourceOnTerminal = true; // the iOS 26.6 quirk (CLD-02)
        system.os = "26.5"; // and no iOS 27 API to fall back on
        system.runUntilCompleted(SampleUploadExtension::new, 20);
        assertBackedUpExactlyOnce();
        assertTrue(system.log.stream().noneMatch(line -> line.contains("unidentified")));
    }

    @Test
    void backsUpOnIos264WithoutTheProcessSet() {
        library(12);
        system.os = "26.4"; // no fetchJobs(.process): the ledger remembers the jobs in flight
        system.runUntilCompleted(SampleUploadExtension::new, 40);
        assertBackedUpExactlyOnce();
        assertTrue(system.log.stream().anyMatch(line -> line.contains("jobs outstanding")));
    }

    @Test
    void backsUpOnIos261WithoutCancelPlaceholdersOrJobOutcomeFields() {
        library(12);
        system.os = "26.1"; // nor cancel, placeholders, type, error, responseHeaderFields
        system.library.hideResourceOnTerminal = true;
        system.runUntilCompleted(SampleUploadExtension::new, 40);
        assertBackedUpExactlyOnce(); // no "OS: …" violation either
    }

    @Test
    void onIos264AKillAfterTheCommitLeavesNoDuplicate() {
        library(12);
        system.os = "26.4";
        system.killAtCall = 12;
        system.killAfterCommit = true;
        system.runUntilCompleted(SampleUploadExtension::new, 40);
        assertBackedUpExactlyOnce();
    }

    @Test
    void downloadOnlyJobsAreAcknowledgedButNeverCountAsUploads() {
        library(1);
        var resource = system.library.assets.firstEntry().getValue().resources().get(0);
        FakeSystem.JobRecord download = system.library.addForeignJob(resource, JobType.DOWNLOAD_ONLY,
                org.upcert.api.UploadRequest.put(FakeSystem.BASE));
        download.state = JobState.SUCCEEDED;
        UploadExtension extension = new SampleUploadExtension();
        system.call(extension);
        assertTrue(download.acknowledged);
        assertEquals(1, system.library.createdJobs, "the resource still gets its upload");
        system.runUntilCompleted(() -> extension, 5);
        assertBackedUpExactlyOnce();
    }

    @Test
    void limitExceededStopsCreatingAndAnswersProcessing() {
        library(10); // 14 resources
        // The limit the extension reads (30) is not the one the store enforces (8): another
        // party's jobs, a limit that changed. The first rejected block must end the creating.
        UploadExtension sample = new SampleUploadExtension();
        UploadExtension misinformed = new UploadExtension() {
            @Override
            public ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
                return sample.processJobs(new LimitMisreportingContext(context));
            }

            @Override
            public void willTerminate() {
                sample.willTerminate();
            }
        };
        assertEquals(ProcessingResult.PROCESSING, system.call(misinformed));
        assertEquals(1, system.library.rejectedBlocks, "CAP-01: one rejected block, no spinning");
        assertTrue(system.library.createdJobs <= 8);
        assertTrue(system.log.stream().anyMatch(line -> line.contains("job limit reached")), String.join("\n", system.log));
        assertEquals(List.of(), system.violations);
    }

    /** Reports the job limit as 30 while the store enforces 8. */
    private final class LimitMisreportingContext implements org.upcert.api.ExtensionContext {
        private final org.upcert.api.ExtensionContext inner;

        LimitMisreportingContext(org.upcert.api.ExtensionContext inner) {
            this.inner = inner;
        }

        @Override
        public org.upcert.api.PhotoLibrary library() {
            FakeSystem.Library real = system.library;
            return new org.upcert.api.PhotoLibrary() {
                @Override
                public AuthorizationStatus authorizationStatus() {
                    return real.authorizationStatus();
                }

                @Override
                public boolean isUploadJobExtensionEnabled() {
                    return real.isUploadJobExtensionEnabled();
                }

                @Override
                public List<org.upcert.api.Asset> fetchAssets() {
                    return real.fetchAssets();
                }

                @Override
                public List<org.upcert.api.Asset> fetchAssets(java.util.Collection<String> ids) {
                    return real.fetchAssets(ids);
                }

                @Override
                public org.upcert.api.ChangeToken currentChangeToken() {
                    return real.currentChangeToken();
                }

                @Override
                public List<org.upcert.api.PersistentChange> fetchPersistentChanges(org.upcert.api.ChangeToken token)
                        throws org.upcert.api.PhotosException {
                    return real.fetchPersistentChanges(token);
                }

                @Override
                public int jobLimit() {
                    real.jobLimit = 8;
                    return real.jobLimit() + 22;
                }

                @Override
                public List<org.upcert.api.UploadJob> fetchJobs(org.upcert.api.JobAction action) {
                    return real.fetchJobs(action);
                }

                @Override
                public java.util.Optional<org.upcert.api.AssetResource> assetResource(org.upcert.api.UploadJob job) {
                    return real.assetResource(job);
                }

                @Override
                public void performChanges(org.upcert.api.JobChangeBlock block) throws org.upcert.api.PhotosException {
                    real.performChanges(block);
                }
            };
        }

        @Override
        public org.upcert.api.AppGroupStorage storage() {
            return inner.storage();
        }

        @Override
        public java.time.Clock clock() {
            return inner.clock();
        }

        @Override
        public java.net.URI uploadUrlBase() {
            return inner.uploadUrlBase();
        }

        @Override
        public org.upcert.api.ExtensionHttp http() {
            return inner.http();
        }

        @Override
        public org.upcert.api.ExtensionLog log() {
            return inner.log();
        }

        @Override
        public java.util.SortedMap<String, String> configuration() {
            return inner.configuration();
        }
    }

    @Test
    void anUnexpectedExceptionBecomesFailureAndTheNextCallRecovers() {
        library(3);
        UploadExtension extension = new SampleUploadExtension();
        system.library.failNextFetch = new IllegalStateException("boom");
        assertEquals(ProcessingResult.FAILURE, system.call(extension));
        assertTrue(system.log.stream().anyMatch(line -> line.startsWith("ERROR unexpected java.lang.IllegalStateException: boom")));
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    @Test
    void wrongCredentialsAnswerFailureAfterAcknowledging() {
        library(2);
        system.signInStatus = 401;
        UploadExtension extension = new SampleUploadExtension();
        assertEquals(ProcessingResult.FAILURE, system.call(extension));
        assertEquals(0, system.library.createdJobs);
        system.signInStatus = 200;
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    @Test
    void unreachableCloudWithNothingMovedAnswersFailure() {
        // PROCESSING would bring another call in ~5 min failing the same way, forever (RES-03);
        // FAILURE lets the system back off until the cloud answers again.
        library(2);
        system.http.offline = true;
        UploadExtension extension = new SampleUploadExtension();
        assertEquals(ProcessingResult.FAILURE, system.call(extension));
        assertEquals(1, system.http.requests.size(), "one sign-in attempt per call, no spinning");
        system.http.offline = false;
        system.runUntilCompleted(() -> extension, 10);
        assertBackedUpExactlyOnce();
    }

    @Test
    void doesNotTouchTheContextAfterReturning() {
        library(2);
        system.runUntilCompleted(SampleUploadExtension::new, 10);
        assertTrue(system.violations.stream().noneMatch(v -> v.startsWith("TRM-04")));
    }

    /**
     * TRM-03 / DUP-01: kill the process at every API call of a whole backup, once per run (and,
     * for performChanges, both before and after its commit). Every run must converge: every
     * resource uploaded, none twice at once in flight, every job acknowledged.
     */
    @Test
    void convergesWithoutDuplicatesAfterAKillAtAnyPoint() {
        FakeSystem probe = new FakeSystem();
        probeLibrary(probe);
        probe.runUntilCompleted(SampleUploadExtension::new, 40);
        long totalCalls = probe.apiCalls;
        assertTrue(totalCalls > 60, "the backup makes enough calls to be worth killing: " + totalCalls);
        for (boolean afterCommit : new boolean[] {false, true}) {
            for (long killAt = 1; killAt <= totalCalls; killAt++) {
                FakeSystem run = new FakeSystem();
                probeLibrary(run);
                run.killAtCall = killAt;
                run.killAfterCommit = afterCommit;
                List<ProcessingResult> results = run.runUntilCompleted(SampleUploadExtension::new, 60);
                String where = "kill at API call " + killAt + (afterCommit ? " (after commit)" : "");
                assertEquals(List.of(), run.violations, where);
                assertEquals(keysOf(run), new TreeSet<>(run.uploadsByKey.keySet()), where + ": every resource uploaded");
                assertEquals(List.of(), run.unacknowledged().stream().map(job -> job.id).toList(), where);
                assertTrue(results.contains(null) || killAt > run.apiCalls, where + ": the kill happened");
                run.uploadsByKey.forEach((key, count) -> assertEquals(1, count, where + ": uploads of " + key));
            }
        }
    }

    private static void probeLibrary(FakeSystem system) {
        for (int i = 0; i < 6; i++) {
            system.library.add(i % 2 == 0 ? FakeSystem.livePhoto("K" + i + "/L0/001", i) : FakeSystem.photo("K" + i + "/L0/001", i));
        }
        system.library.jobLimit = 4;
        system.library.hideResourceOnTerminal = true;
        int[] deliveries = {0};
        // One transient failure and one 401 along the way, so retries are killed too.
        system.faults = job -> {
            deliveries[0]++;
            if (deliveries[0] == 2) {
                return FakeSystem.Delivery.failed(UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "lost"));
            }
            if (deliveries[0] == 5) {
                return FakeSystem.Delivery.failed(UploadError.httpStatus(401));
            }
            return null;
        };
    }

    private static TreeSet<String> keysOf(FakeSystem system) {
        TreeSet<String> keys = new TreeSet<>();
        system.library.assets.values().forEach(asset -> asset.resources().forEach(r -> keys.add(r.key())));
        return keys;
    }

    @Test
    void aKilledInstanceIsReplacedAndTheLedgerComesFromStorage() {
        library(4);
        UploadExtension first = new SampleUploadExtension();
        assertEquals(ProcessingResult.PROCESSING, system.call(first));
        system.deliver();
        system.killAtCall = system.apiCalls + 8; // somewhere in the next call
        assertNull(system.call(first));
        system.killAtCall = -1;
        system.runUntilCompleted(SampleUploadExtension::new, 10);
        assertBackedUpExactlyOnce();
        assertTrue(system.log.stream().filter(line -> line.contains("ledger loaded")).count() >= 2);
    }
}

package org.upcert.conformance.suite;

import java.util.LinkedHashMap;
import java.util.Map;
import org.upcert.harness.faults.profile.Profile;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileException;

/**
 * The profiles of one certification, each read once: a file edited while the certification runs
 * changes none of its cells, and the certificate names the version it was made from by its SHA-256
 * ({@link #sha256}). A {@link SuiteConfig} holds one; {@link SuiteConfig#from} reads the profiles it
 * names at once (a malformed one is bad input before any run), a profile first asked for later is
 * read at that first ask, and a profile that could not be read stays unreadable with the same
 * problem for every cell. A drawn profile ({@code explore:N}), a function of the build and N with
 * no file to edit, is drawn at each ask and not kept.
 *
 * <p>{@code certify} hands its snapshot to the test plan it launches ({@link #share}, the
 * {@value #PARAMETER} parameter), so the runs and the certificate read the same bytes.
 */
public final class ProfileSnapshot {
    /** The configuration parameter naming a shared snapshot ({@link #share}). */
    public static final String PARAMETER = "upcert.profile-snapshot";
    private static final Handover<ProfileSnapshot> SHARED = new Handover<>("snapshot");

    /** What reading one profile gave: the profile and its source's hash, or the problem. */
    private record Entry(ProfileCatalogue.Read read, ProfileException problem) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** An empty snapshot: each profile is read at its first ask. */
    public ProfileSnapshot() {
    }

    /** The profile {@code nameOrFile} as this snapshot read it (reading it now if it is the first ask). */
    public Profile profile(String nameOrFile) throws ProfileException {
        return read(nameOrFile).profile();
    }

    /** The SHA-256 of the source {@code nameOrFile} was read from (reading it now if it is the first ask). */
    public String sha256(String nameOrFile) throws ProfileException {
        return read(nameOrFile).sha256();
    }

    /** The SHA-256 of {@code nameOrFile}'s source, or {@code "unreadable"} when it could not be read. */
    String sha256OrUnreadable(String nameOrFile) {
        try {
            String sha = sha256(nameOrFile);
            return sha == null ? "unreadable" : sha;
        } catch (ProfileException e) {
            return "unreadable";
        }
    }

    private ProfileCatalogue.Read read(String nameOrFile) throws ProfileException {
        if (org.upcert.harness.faults.profile.SwarmProfiles.named(nameOrFile)) {
            // explore:N is a function of the build and N, with nothing to edit: drawn again at each ask,
            // not kept (upcert explore draws thousands through one configuration)
            return ProfileCatalogue.read(nameOrFile);
        }
        Entry entry;
        synchronized (entries) {
            entry = entries.get(nameOrFile);
            if (entry == null) {
                try {
                    entry = new Entry(ProfileCatalogue.read(nameOrFile), null);
                } catch (ProfileException e) {
                    entry = new Entry(null, e);
                } catch (RuntimeException e) {
                    entry = new Entry(null, ProfileException.of(org.upcert.harness.faults.profile.Location.whole(nameOrFile),
                            "cannot read the profile: " + e));
                }
                entries.put(nameOrFile, entry);
            }
        }
        if (entry.problem() != null) {
            throw entry.problem();
        }
        return entry.read();
    }

    /**
     * Makes this snapshot findable by the returned id until {@link #release}: the parameter value
     * of {@value #PARAMETER} for a test plan launched in this JVM.
     */
    public String share() {
        return SHARED.share(this);
    }

    /** The snapshot {@link #share} made findable by {@code id}, or null. */
    static ProfileSnapshot shared(String id) {
        return SHARED.find(id);
    }

    /** Forgets a shared snapshot (its certification has ended). */
    public static void release(String id) {
        SHARED.release(id);
    }

    /** A snapshot is itself: two configurations that read the same names at different times are not the same. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        synchronized (entries) {
            return "ProfileSnapshot" + entries.keySet();
        }
    }
}

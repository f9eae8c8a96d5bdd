package org.upcert.harness.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What the cloud received: stored objects by key (with size and SHA-256), every write (so
 * duplicates show), and every refused request with the reason. Checkers judge end-to-end rules
 * from this, never from the extension's own account of what it did.
 *
 * <p>Synchronized: written on the server's threads, read by the simulator.
 */
public final class CloudInventory {

    /**
     * A stored object.
     *
     * @param key the object's key in the service
     * @param declaredSize the size the resource declares (the body may be a compact stand-in)
     * @param sha256 SHA-256 of the body received, lowercase hex
     * @param writes how many successful writes this key has seen (more than one: overwritten)
     * @param objectId the id the service gave it
     */
    public record StoredObject(String key, long declaredSize, String sha256, int writes, String objectId) {
    }

    /**
     * One successful write, in arrival order.
     *
     * @param hostApp whether the host app uploaded it itself (host.upload), not the system for the extension
     * @param stay the account's stay on this server the write arrived in ({@link #accountArrived}: 0 before
     *     the account ever moved here; host.server): duplicates are counted per stay, since an extension
     *     cannot know what a server it comes back to holds
     */
    public record Write(String key, long declaredSize, String sha256, boolean overwrite, boolean hostApp, int stay) {
    }

    /** A refused request, with the status answered and why. */
    public record Refusal(String method, String path, int status, String reason) {
    }

    private final TreeMap<String, StoredObject> objects = new TreeMap<>();
    private final List<Write> writes = new ArrayList<>();
    private final List<Refusal> refusals = new ArrayList<>();
    private final TreeMap<String, Integer> commitsByUpload = new TreeMap<>();
    private final TreeMap<String, Integer> stayOfUpload = new TreeMap<>();
    private final List<CommitAttempt> commitAttempts = new ArrayList<>();

    /**
     * One attempt to commit a known two-phase upload, in arrival order: at virtual time {@code t}
     * (the time of the extension's request that carried it), refused with {@code refusal}
     * ({@code "already committed"}, {@code "upload token expired"}) or, when null, committed.
     */
    public record CommitAttempt(String uploadId, long t, String refusal) {
    }

    private long changes;
    /** How many times the account moved (back) to this server (host.server). */
    private int stay;

    /**
     * The host app moved the account to this server (host.server): the writes that follow belong to
     * a new stay of the account here. The objects stored before stay: a server keeps what it received.
     */
    public synchronized void accountArrived() {
        stay++;
    }

    /** How many times the stored objects or commits changed so far (only grows): the cloud moved. */
    public synchronized long changes() {
        return changes;
    }

    /** Stores (or overwrites) an object; returns whether the key already existed. */
    public synchronized boolean store(String key, long declaredSize, String sha256, String objectId) {
        return store(key, declaredSize, sha256, objectId, false);
    }

    /**
     * The host app uploaded a resource itself, in the foreground (host.upload): stored like any
     * object and marked as the host app's write, so duplicate figures can tell it apart.
     */
    public synchronized boolean storeFromHostApp(String key, long declaredSize, String sha256, String objectId) {
        return store(key, declaredSize, sha256, objectId, true);
    }

    private boolean store(String key, long declaredSize, String sha256, String objectId, boolean hostApp) {
        changes++;
        StoredObject previous = objects.get(key);
        int count = previous == null ? 1 : previous.writes() + 1;
        String id = previous == null ? objectId : previous.objectId();
        objects.put(key, new StoredObject(key, declaredSize, sha256, count, id));
        writes.add(new Write(key, declaredSize, sha256, previous != null, hostApp, stay));
        return previous != null;
    }

    /**
     * A two-phase upload received its bytes under {@code uploadId} (e.g. a Google Photos upload
     * token); until {@link #committed} it counts as uploaded but not committed.
     */
    public synchronized void uploadReceived(String uploadId) {
        commitsByUpload.putIfAbsent(uploadId, 0);
        stayOfUpload.putIfAbsent(uploadId, stay);
    }

    /**
     * The account's stay on this server in which the two-phase upload {@code uploadId} received its
     * bytes (as {@link Write#stay}); -1 for an upload this server never received.
     */
    public synchronized int stayOf(String uploadId) {
        return stayOfUpload.getOrDefault(uploadId, -1);
    }

    /** The account's current (latest) stay on this server: 0 before the account ever moved here (host.server). */
    public synchronized int stay() {
        return stay;
    }

    /** An attempt to commit the two-phase upload {@code uploadId} at virtual time {@code t}; {@code refusal} null if it committed. */
    public synchronized void commitAttempt(String uploadId, long t, String refusal) {
        commitAttempts.add(new CommitAttempt(uploadId, t, refusal));
    }

    /** Every attempt to commit a known two-phase upload, in arrival order (empty for single-phase dialects). */
    public synchronized List<CommitAttempt> commitAttempts() {
        return List.copyOf(commitAttempts);
    }

    /** The two-phase upload {@code uploadId} was committed (once more). */
    public synchronized void committed(String uploadId) {
        changes++;
        commitsByUpload.merge(uploadId, 1, Integer::sum);
    }

    /**
     * Two-phase uploads by id, with how many times each was committed: 0 never (left
     * uncommitted), 1 exactly once; more than once would be a duplicate (CLD-01). Empty for
     * single-phase dialects.
     */
    public synchronized TreeMap<String, Integer> commitsByUpload() {
        return new TreeMap<>(commitsByUpload);
    }

    public synchronized void refuse(String method, String path, int status, String reason) {
        refusals.add(new Refusal(method, path, status, reason));
    }

    /** The object stored under {@code key}, if any. */
    public synchronized java.util.Optional<StoredObject> object(String key) {
        return java.util.Optional.ofNullable(objects.get(key));
    }

    /** How many objects are stored. */
    public synchronized int objectCount() {
        return objects.size();
    }

    public synchronized List<StoredObject> objects() {
        return List.copyOf(objects.values());
    }

    public synchronized List<Write> writes() {
        return List.copyOf(writes);
    }

    /** How many requests were refused so far (cheaper than {@link #refusals()}). */
    public synchronized int refusalCount() {
        return refusals.size();
    }

    /** The refusal number {@code index} (0-based, in arrival order). */
    public synchronized Refusal refusal(int index) {
        return refusals.get(index);
    }

    public synchronized List<Refusal> refusals() {
        return List.copyOf(refusals);
    }

    /** Stored objects by the SHA-256 of their current content (first key wins on ties). */
    public synchronized TreeMap<String, StoredObject> objectsBySha256() {
        TreeMap<String, StoredObject> bySha = new TreeMap<>();
        for (StoredObject object : objects.values()) {
            bySha.putIfAbsent(object.sha256(), object);
        }
        return bySha;
    }
}

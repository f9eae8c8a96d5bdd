package org.upcert.harness.library;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;

/**
 * The photo library's state: live assets, every resource that ever existed, the persistent
 * change history, and consent (authorization, extension enabled).
 *
 * <p>History: the library starts with its assets already present and an empty history (what
 * happened before the extension was enabled is not replayable, as on a device). Each insert,
 * update or delete appends one {@link PersistentChange}. A token names the history epoch and the
 * number of changes it has seen ({@code pct-<epoch>-<n>}); when the history is pruned
 * ({@link #expireHistory()}) every token of an earlier epoch expires, and asking for changes
 * since it throws {@link PhotosErrorCode#PERSISTENT_CHANGE_TOKEN_EXPIRED}.
 */
public final class SimulatedLibrary {
    private static final Comparator<Asset> OLDEST_FIRST =
            Comparator.comparing(Asset::creationDate).thenComparing(Asset::localIdentifier);

    private final TreeMap<String, Asset> assets = new TreeMap<>();
    private final TreeMap<String, AssetResource> everResources = new TreeMap<>();
    private final List<PersistentChange> history = new ArrayList<>();
    private final TreeSet<String> offloaded = new TreeSet<>();
    /** Resource key → until when a download-only job's copy of its offloaded original stays on the device. */
    private final java.util.TreeMap<String, Long> localCopies = new java.util.TreeMap<>();
    private int firstRetained;
    /** Bumped by {@link #expireHistory()}: tokens of an older epoch are expired, even if no change happened since. */
    private int epoch;
    private List<Asset> sortedCache;
    private AuthorizationStatus authorization = AuthorizationStatus.AUTHORIZED;
    private boolean extensionEnabled = true;

    public SimulatedLibrary(Collection<Asset> initial) {
        for (Asset asset : initial) {
            put(asset);
        }
    }

    // --- consent --------------------------------------------------------------------------

    public AuthorizationStatus authorization() {
        return authorization;
    }

    public void setAuthorization(AuthorizationStatus status) {
        this.authorization = status;
    }

    public boolean extensionEnabled() {
        return extensionEnabled;
    }

    public void setExtensionEnabled(boolean enabled) {
        this.extensionEnabled = enabled;
    }

    /** Full access and an enabled extension: the only state in which jobs may be created. */
    public boolean allowsJobCreation() {
        return authorization == AuthorizationStatus.AUTHORIZED && extensionEnabled;
    }

    // --- assets ---------------------------------------------------------------------------

    /** Live assets, oldest first. */
    public List<Asset> assets() {
        if (sortedCache == null) {
            List<Asset> sorted = new ArrayList<>(assets.values());
            sorted.sort(OLDEST_FIRST);
            sortedCache = List.copyOf(sorted);
        }
        return sortedCache;
    }

    /** The live assets among {@code ids}, oldest first. */
    public List<Asset> assets(Collection<String> ids) {
        List<Asset> found = new ArrayList<>();
        for (String id : new TreeSet<>(ids)) {
            Asset asset = assets.get(id);
            if (asset != null) {
                found.add(asset);
            }
        }
        found.sort(OLDEST_FIRST);
        return found;
    }

    public Optional<Asset> asset(String id) {
        return Optional.ofNullable(assets.get(id));
    }

    /** The live resource with this key, if its asset still exists. */
    public Optional<AssetResource> liveResource(String key) {
        AssetResource resource = everResources.get(key);
        return resource != null && assets.containsKey(resource.assetLocalIdentifier())
                ? Optional.of(resource) : Optional.empty();
    }

    /** Whether {@code resource} is exactly a resource of a live asset. */
    public boolean isLive(AssetResource resource) {
        return liveResource(resource.key()).filter(resource::equals).isPresent();
    }

    /** Every resource that was ever in the library, by key. */
    public TreeMap<String, AssetResource> everResources() {
        return everResources;
    }

    /** Resources of live assets, in asset order. */
    public List<AssetResource> liveResources() {
        List<AssetResource> resources = new ArrayList<>();
        for (Asset asset : assets()) {
            resources.addAll(asset.resources());
        }
        return resources;
    }

    /** Adds an asset and records the insertion in the history. */
    public void insert(Asset asset) {
        put(asset);
        record(List.of(asset.localIdentifier()), List.of(), List.of());
    }

    /** Deletes an asset and records the deletion; returns whether it existed. */
    public boolean delete(String assetId) {
        if (assets.remove(assetId) == null) {
            return false;
        }
        sortedCache = null;
        record(List.of(), List.of(), List.of(assetId));
        return true;
    }

    /**
     * Offloads a live asset's originals to iCloud ("Optimize iPhone Storage"): an update in the
     * history; uploads of its resources must download them first.
     */
    public void offload(String assetId) {
        if (assets.containsKey(assetId) && offloaded.add(assetId)) {
            record(List.of(), List.of(assetId), List.of());
        }
    }

    /** Whether the asset's originals are only in iCloud. */
    public boolean isOffloaded(String assetId) {
        return offloaded.contains(assetId);
    }

    /**
     * A download-only job brought {@code resource}'s original down from iCloud: the copy is on the
     * device until {@code until} (virtual ms), when the system purges it again (upcert decides the
     * delay: {@link #LOCAL_COPY_MS}). The asset stays offloaded; its history is untouched.
     */
    public void keepLocalCopy(AssetResource resource, long until) {
        localCopies.put(resource.key(), until);
    }

    /**
     * Whether reading {@code resource}'s original at {@code now} needs a download from iCloud: its
     * asset is offloaded and no download-only job left a copy that is still there.
     */
    public boolean needsICloudDownload(AssetResource resource, long now) {
        if (!offloaded.contains(resource.assetLocalIdentifier())) {
            return false;
        }
        Long until = localCopies.get(resource.key());
        return until == null || until <= now;
    }

    /**
     * How long the copy a download-only job brought down stays on the device before the system
     * purges it (10 virtual minutes). upcert decides: Apple says only that "the system may later
     * purge the downloaded copy" (reference §1.3).
     */
    public static final long LOCAL_COPY_MS = 10 * 60_000L;

    /** Records an update (edit, offload to iCloud) of a live asset. */
    public void update(String assetId) {
        if (assets.containsKey(assetId)) {
            record(List.of(), List.of(assetId), List.of());
        }
    }

    private void put(Asset asset) {
        assets.put(asset.localIdentifier(), asset);
        for (AssetResource resource : asset.resources()) {
            everResources.put(resource.key(), resource);
        }
        sortedCache = null;
    }

    // --- history --------------------------------------------------------------------------

    public ChangeToken currentToken() {
        return token(history.size());
    }

    /** The changes after {@code token}, oldest first. */
    public List<PersistentChange> changesSince(ChangeToken token) throws PhotosException {
        int seen = parse(token);
        if (seen < firstRetained || tokenEpoch(token) != epoch) {
            throw PhotosException.of(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED,
                    "the change history no longer reaches back to " + token.encoded());
        }
        return List.copyOf(history.subList(seen, history.size()));
    }

    /** Forgets the history so far: every earlier token expires (the device pruned its history). */
    public void expireHistory() {
        firstRetained = history.size();
        epoch++;
    }

    public int historySize() {
        return history.size();
    }

    private void record(List<String> inserted, List<String> updated, List<String> deleted) {
        history.add(new PersistentChange(token(history.size() + 1), inserted, updated, deleted));
    }

    private ChangeToken token(int seen) {
        return new ChangeToken("pct-" + epoch + "-" + seen);
    }

    private static int tokenEpoch(ChangeToken token) {
        String[] parts = token.encoded().split("-");
        return parts.length == 3 ? Integer.parseInt(parts[1]) : -1;
    }

    private int parse(ChangeToken token) throws PhotosException {
        String[] parts = token.encoded().split("-");
        int seen;
        try {
            seen = parts.length == 3 && parts[0].equals("pct") && Integer.parseInt(parts[1]) >= 0
                    ? Integer.parseInt(parts[2]) : -1;
        } catch (NumberFormatException e) {
            seen = -1;
        }
        String text = token.encoded();
        if (seen < 0 || seen > history.size()) {
            throw PhotosException.of(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED,
                    "not a change token of this library: " + text);
        }
        return seen;
    }
}

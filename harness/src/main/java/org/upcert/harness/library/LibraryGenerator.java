package org.upcert.harness.library;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AssetResource.ResourceType;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;

/**
 * Makes a library from a seed: asset kinds by the workload's mix, creation dates over the four
 * years before the run, sizes drawn from log-normal distributions fitted to phone cameras
 * (HEIC photos around 2.4 MB, Live Photo motion around 3 MB, videos around 45 MB with a long
 * tail to gigabytes, ProRAW around 28 MB).
 */
public final class LibraryGenerator {
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;
    private static final long FOUR_YEARS_MS = 4L * 365 * 24 * 3_600_000;

    private final SimRandom rng;
    private int nextNumber = 1;

    public LibraryGenerator(SimRandom rng) {
        this(rng, 1);
    }

    /** A generator whose file names start at {@code IMG_<firstNumber>} (new photos after the initial library). */
    public LibraryGenerator(SimRandom rng, int firstNumber) {
        this.rng = rng;
        this.nextNumber = firstNumber;
    }

    /** The initial library, oldest first. */
    public List<Asset> initialLibrary(Workload workload) {
        List<Asset> assets = new ArrayList<>(workload.assets());
        List<Instant> dates = new ArrayList<>(workload.assets());
        for (int i = 0; i < workload.assets(); i++) {
            dates.add(VirtualClock.EPOCH.minusMillis(rng.between(60_000, FOUR_YEARS_MS)));
        }
        dates.sort(Comparator.naturalOrder());
        for (Instant date : dates) {
            assets.add(newAsset(workload, date));
        }
        return assets;
    }

    /** One new asset taken at {@code creationDate} (library churn, new photos during the run). */
    public Asset newAsset(Workload workload, Instant creationDate) {
        String id = localIdentifier();
        int number = nextNumber++;
        int roll = rng.nextInt(100);
        String stem = String.format(java.util.Locale.ROOT, "IMG_%04d", number % 10_000);
        if (roll < workload.photoPercent()) {
            return new Asset(id, Asset.MediaType.IMAGE, creationDate, List.of(
                    resource(id, ResourceType.PHOTO, stem + ".HEIC", "public.heic", size(2.4 * MB, 0.45, 300 * KB, 15 * MB))));
        }
        roll -= workload.photoPercent();
        if (roll < workload.livePhotoPercent()) {
            return new Asset(id, Asset.MediaType.IMAGE, creationDate, List.of(
                    resource(id, ResourceType.PHOTO, stem + ".HEIC", "public.heic", size(2.4 * MB, 0.45, 300 * KB, 15 * MB)),
                    resource(id, ResourceType.PAIRED_VIDEO, stem + ".MOV", "com.apple.quicktime-movie", size(3 * MB, 0.35, MB, 10 * MB))));
        }
        roll -= workload.livePhotoPercent();
        if (roll < workload.videoPercent()) {
            return new Asset(id, Asset.MediaType.VIDEO, creationDate, List.of(
                    resource(id, ResourceType.VIDEO, stem + ".MOV", "com.apple.quicktime-movie", size(45 * MB, 1.1, MB, 4096 * MB))));
        }
        return new Asset(id, Asset.MediaType.IMAGE, creationDate, List.of(
                resource(id, ResourceType.PHOTO, stem + ".JPG", "public.jpeg", size(3.5 * MB, 0.4, 500 * KB, 20 * MB)),
                resource(id, ResourceType.ALTERNATE_PHOTO, stem + ".DNG", "com.adobe.raw-image", size(28 * MB, 0.35, 10 * MB, 100 * MB))));
    }

    private AssetResource resource(String assetId, ResourceType type, String filename, String uti, long size) {
        return new AssetResource(assetId, type, filename, uti, size);
    }

    private long size(double median, double sigma, long min, long max) {
        long drawn = (long) rng.logNormal(median, sigma);
        return Math.max(min, Math.min(max, drawn));
    }

    /** An identifier shaped like PhotoKit's ({@code UUID/L0/001}), drawn from the seed. */
    private String localIdentifier() {
        long a = rng.nextLong();
        long b = rng.nextLong();
        return String.format(java.util.Locale.ROOT, "%08X-%04X-%04X-%04X-%012X/L0/001",
                (a >>> 32) & 0xFFFFFFFFL, (a >>> 16) & 0xFFFF, a & 0xFFFF, (b >>> 48) & 0xFFFF, b & 0xFFFFFFFFFFFFL);
    }
}

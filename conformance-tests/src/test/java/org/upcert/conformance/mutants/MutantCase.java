package org.upcert.conformance.mutants;

import java.util.Objects;
import java.util.function.Supplier;
import org.upcert.api.UploadExtension;
import org.upcert.harness.host.ExtensionSource;

/**
 * One proof that the suite catches a mistake: running {@code factory}'s extension under
 * {@code profile} with {@code seed} against {@code cloud} must FAIL rule {@code ruleId}.
 *
 * @param ruleId the rule the mistake breaks
 * @param mistake the mistake, as an author would describe it ("never acknowledges failed jobs")
 * @param type the mutant's class
 * @param factory makes a fresh instance (a relaunched process)
 * @param profile a standard profile that exposes the mistake
 * @param seed the seed
 * @param cloud the cloud dialect
 * @param os the OS level to run the profile on instead of its own, or null for the profile's: a
 *     mistake made with an API an OS level lacks (the PROCESS set, iOS 26.5) needs a level that has it
 * @param upgrade the app's next build, which the profile's {@code app.upgrade} swaps in, or null for
 *     the same build relaunched: a mistake made by a pair of builds (the new one cannot read what
 *     the old one stored) is {@code type} as the old build and this as the new one
 */
public record MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
        Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud, String os, Build upgrade) {

    /** One build of an extension: its class and a factory of fresh instances. */
    public record Build(Class<? extends UploadExtension> type, Supplier<? extends UploadExtension> factory) {
        public ExtensionSource source() {
            return ExtensionSource.type(type, factory);
        }
    }

    public MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
            Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud, String os) {
        this(ruleId, mistake, type, factory, profile, seed, cloud, os, null);
    }

    public MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
            Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud) {
        this(ruleId, mistake, type, factory, profile, seed, cloud, null);
    }

    public MutantCase {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(mistake, "mistake");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(cloud, "cloud");
    }

    /** A case against the default {@code generic-put} cloud. */
    public static <T extends UploadExtension> MutantCase of(String ruleId, String mistake, Class<T> type, Supplier<T> factory,
            String profile, long seed) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, "generic-put");
    }

    /** The same case against another cloud dialect. */
    public MutantCase on(String dialect) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, dialect, os, upgrade);
    }

    /** The same case with the profile run on OS level {@code level} (e.g. "26.5" for the PROCESS set). */
    public MutantCase onOs(String level) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, cloud, level, upgrade);
    }

    /** The plan of this case: the profile expanded with the seed, on {@link #os()} if set. */
    public org.upcert.harness.plan.RunPlan plan() throws Exception {
        org.upcert.harness.plan.RunPlan plan = org.upcert.harness.faults.profile.PlanExpander
                .expand(org.upcert.harness.faults.profile.ProfileCatalogue.load(profile), seed).plan();
        return os == null ? plan : new org.upcert.harness.plan.RunPlan(plan.seed(), plan.profile(),
                plan.workload().withOs(os), plan.policy(), plan.phases(), plan.faults());
    }

    /** The same case with the app updated to {@code next} at the profile's {@code app.upgrade}. */
    public <T extends UploadExtension> MutantCase upgradingTo(Class<T> next, Supplier<T> nextFactory) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, cloud, os, new Build(next, nextFactory));
    }

    /** The run options of this case: the cloud (with its assumptions, {@code CloudSpec}), and the next build if there is one. */
    public org.upcert.harness.run.RunOptions options() {
        org.upcert.harness.run.RunOptions options = org.upcert.conformance.testing.CloudSpec.apply(
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"), cloud);
        return upgrade == null ? options : options.withUpgradeTo(upgrade.source());
    }

    /** The mutant as an extension source for the host. */
    public ExtensionSource source() {
        return ExtensionSource.type(type, factory);
    }

    /** The mutant's simple name, for tables. */
    public String mutant() {
        return upgrade == null ? type.getSimpleName() : type.getSimpleName() + " → " + upgrade.type().getSimpleName();
    }
}

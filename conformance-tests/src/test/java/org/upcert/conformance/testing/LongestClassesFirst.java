package org.upcert.conformance.testing;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The order of this module's test classes in {@code mvn verify} (its pom names it as
 * {@code junit.jupiter.testclass.order.default}; certify's own Launcher does not read it): the
 * longest classes start first, so that the two lanes that run classes side by side end together
 * instead of one long class running alone at the end. Without it the order is the file system's,
 * which differs from one machine to the next.
 *
 * <p>JUnit forks the classes in this order onto the pool of one of its two threads: that thread
 * takes them from the end of the list, the other steals them from its front. So the longest
 * classes are dealt to both ends in turn (the first to the front, the second to the end, the
 * third second from the front, …), the classes not named here in the middle, by name. A class
 * marked {@code @Isolated} runs alone after all the others whatever its place. Only the order
 * changes: nothing a class asserts depends on it.
 */
public final class LongestClassesFirst implements ClassOrderer {
    /**
     * The longest classes, longest first (simple names; their time in a run of the whole module,
     * which counts a class's waits for the certification lock and the sample's shared certification).
     */
    static final List<String> LONGEST = List.of(
            "CertifyAcceptanceTest",
            "PythonExtensionAcceptanceTest",
            "HostileCommandsTest",
            "HostileCorpusContainerTest",
            "UpgradeFaultsTest",
            "S3AndGooglePhotosBackupAcceptanceTest",
            "SampleUnderProfilesAcceptanceTest",
            "InterruptAcceptanceTest",
            "BenchCommandTest",
            "SessionDialectsAcceptanceTest",
            "SqliteQueueExtensionAcceptanceTest",
            "HostileCorpusTest",
            "ExplorerTest",
            "MemoryAndCpuAcceptanceTest",
            "MisbehaviourCostTest");

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingInt((ClassDescriptor c) -> place(c.getTestClass().getSimpleName()))
                .thenComparing(c -> c.getTestClass().getName()));
    }

    /** A class's place: the named ones dealt to the front and the end in turn, the others between them. */
    static int place(String simpleName) {
        int rank = LONGEST.indexOf(simpleName);
        if (rank < 0) {
            return LONGEST.size();
        }
        return rank % 2 == 0 ? rank / 2 : 2 * LONGEST.size() - rank / 2;
    }
}

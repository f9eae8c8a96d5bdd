package org.upcert.conformance.authors;

import java.io.IOException;
import java.nio.file.Path;
import org.upcert.harness.scope.DeclaredScope;

/** Packs one of the {@link AuthorExtensions} into a jar of its own, as an author's build would. */
final class AuthorJars {
    private AuthorJars() {
    }

    /**
     * A jar holding {@code type} (with the other classes of {@link AuthorExtensions}), its service
     * entry and, if {@code scope} is not null, {@value DeclaredScope#JAR_ENTRY} with that text.
     */
    static Path jar(Class<?> type, Path dir, String scope) throws IOException {
        return org.upcert.conformance.testing.ExtensionJars.pack(type, "AuthorExtensions", dir,
                scope == null ? java.util.Map.of() : java.util.Map.of(DeclaredScope.JAR_ENTRY, scope));
    }
}

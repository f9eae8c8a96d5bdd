package org.upcert.api;

import java.util.List;
import java.util.Objects;

/**
 * One entry of the library's history ({@code PHPersistentChange} with its
 * {@code changeDetails(for: .asset)}).
 *
 * @param changeToken the token just after this change: store it once the change is handled
 * @param insertedAssets assets added, sorted
 * @param updatedAssets assets changed (e.g. offloaded to iCloud or edited), sorted
 * @param deletedAssets assets deleted, sorted
 */
@API(status = API.Status.STABLE, since = "0.1")
public record PersistentChange(ChangeToken changeToken, List<String> insertedAssets,
        List<String> updatedAssets, List<String> deletedAssets) {

    public PersistentChange {
        Objects.requireNonNull(changeToken, "changeToken");
        insertedAssets = List.copyOf(insertedAssets);
        updatedAssets = List.copyOf(updatedAssets);
        deletedAssets = List.copyOf(deletedAssets);
    }
}

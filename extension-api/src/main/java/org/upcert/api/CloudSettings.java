package org.upcert.api;

import java.net.URI;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The host app's cloud settings, typed: what {@link ExtensionContext#configuration()} holds under
 * the {@code cloud.*} keys (docs/cloud.md), read once with the URLs parsed, instead of string keys
 * an author has to spell right. {@link ExtensionContext#cloudSettings()} gives it.
 *
 * @param dialect {@value #DIALECT}: {@code generic-put}, {@code s3-presigned}, {@code google-photos},
 *     {@code onedrive} or {@code dropbox} ({@code ""} if the host app set none)
 * @param clientId {@value #CLIENT_ID} ({@code ""} if none)
 * @param clientSecret {@value #CLIENT_SECRET} ({@code ""} if none)
 * @param tokenUrl {@value #TOKEN_URL}: the token endpoint, where the dialect signs in
 * @param presignUrl {@value #PRESIGN_URL}: the app backend's presign endpoint ({@code s3-presigned})
 * @param apiUrl {@value #API_URL}: the API base for the extension's own calls ({@code google-photos})
 * @param all every setting, {@code cloud.*} or not (sorted, read-only), for the app's own keys
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public record CloudSettings(String dialect, String clientId, String clientSecret, Optional<URI> tokenUrl,
        Optional<URI> presignUrl, Optional<URI> apiUrl, SortedMap<String, String> all) {

    public static final String DIALECT = "cloud.dialect";
    public static final String CLIENT_ID = "cloud.clientId";
    public static final String CLIENT_SECRET = "cloud.clientSecret";
    public static final String TOKEN_URL = "cloud.tokenUrl";
    public static final String PRESIGN_URL = "cloud.presignUrl";
    public static final String API_URL = "cloud.apiUrl";

    public CloudSettings {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(tokenUrl, "tokenUrl");
        Objects.requireNonNull(presignUrl, "presignUrl");
        Objects.requireNonNull(apiUrl, "apiUrl");
        all = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(all, "all")));
    }

    /**
     * The settings of {@code configuration}.
     *
     * @throws IllegalArgumentException if a URL setting is not an absolute URI (the message names the key)
     */
    public static CloudSettings of(SortedMap<String, String> configuration) {
        Objects.requireNonNull(configuration, "configuration");
        return new CloudSettings(configuration.getOrDefault(DIALECT, ""), configuration.getOrDefault(CLIENT_ID, ""),
                configuration.getOrDefault(CLIENT_SECRET, ""), url(configuration, TOKEN_URL), url(configuration, PRESIGN_URL),
                url(configuration, API_URL), configuration);
    }

    /** Any setting by key, e.g. an app's own {@code cloud.presignExpiresSeconds}. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(all.get(key));
    }

    private static Optional<URI> url(SortedMap<String, String> configuration, String key) {
        String value = configuration.get(key);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.strip());
            if (!uri.isAbsolute()) {
                throw new IllegalArgumentException(key + " is not an absolute URL: " + value);
            }
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a URL: " + value, e);
        }
    }

    /** Secrets stay out of logs. */
    @Override
    public String toString() {
        return "CloudSettings[dialect=" + dialect + ", clientId=" + clientId + ", clientSecret=" + (clientSecret.isEmpty() ? "" : "***")
                + ", tokenUrl=" + tokenUrl.map(URI::toString).orElse("-") + ", presignUrl=" + presignUrl.map(URI::toString).orElse("-")
                + ", apiUrl=" + apiUrl.map(URI::toString).orElse("-") + "]";
    }
}

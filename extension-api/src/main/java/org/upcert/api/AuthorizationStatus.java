package org.upcert.api;

/** The app's photo library access ({@code PHAuthorizationStatus}); raw values as Apple's. */
@API(status = API.Status.STABLE, since = "0.1")
public enum AuthorizationStatus {
    /** The user has not been asked yet. */
    NOT_DETERMINED(0),
    /** Access is restricted by parental controls or a profile. */
    RESTRICTED(1),
    /** The user denied access. */
    DENIED(2),
    /** Full access: the only status under which jobs may be created. */
    AUTHORIZED(3),
    /** Access to a user-chosen subset only. Jobs may not be created. */
    LIMITED(4);

    private final int rawValue;

    AuthorizationStatus(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's raw value. */
    public int rawValue() {
        return rawValue;
    }
}

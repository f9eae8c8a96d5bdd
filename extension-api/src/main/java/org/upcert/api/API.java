package org.upcert.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how stable a public type or member is, after JUnit 5's {@code @API}
 * (org.apiguardian). upcert keeps its own copy so that {@code extension-api} has no
 * third-party dependency at all: an extension author's build pulls in exactly one jar.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
@API(status = API.Status.STABLE, since = "0.1")
public @interface API {

    /** The stability of the annotated element. */
    Status status();

    /** The upcert version in which the element got its current status. */
    String since() default "";

    /** Stability levels, as in apiguardian. */
    enum Status {
        /** Used inside upcert only; may change or vanish without notice. */
        INTERNAL,
        /** New; may change in a minor release. Feedback welcome. */
        EXPERIMENTAL,
        /** Will not change incompatibly before the next major release. */
        STABLE,
        /** Still works, will be removed; the Javadoc names the replacement. */
        DEPRECATED
    }
}

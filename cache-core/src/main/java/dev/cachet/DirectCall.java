package dev.cachet;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Method;

/**
 * A method without caching annotations: the proxy calls the target and returns what it returns.
 *
 * @param method the interface method, accessible
 * @param description the method as messages name it
 */
record DirectCall(Method method, String description) implements Operation {

    DirectCall {
        requireNonNull(method, "method");
        requireNonNull(description, "description");
    }
}

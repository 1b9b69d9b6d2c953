package dev.cachet;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** How a {@code @Cached} method's result is cached, decided by its declared return type. */
enum ResultKind {
    /** Cached as it is; {@code null} is not cached. */
    VALUE,
    /** An {@code Optional}: its content is cached; empty is not cached. */
    OPTIONAL,
    /** A {@code CompletableFuture} or {@code CompletionStage}: the value it completes with is cached. */
    FUTURE;

    /** Returns the kind for a declared return type; the parser has rejected the unsupported ones before. */
    static ResultKind of(Class<?> returnType) {
        if (returnType == Optional.class) {
            return OPTIONAL;
        }
        if (returnType == CompletableFuture.class || returnType == CompletionStage.class) {
            return FUTURE;
        }
        return VALUE;
    }
}

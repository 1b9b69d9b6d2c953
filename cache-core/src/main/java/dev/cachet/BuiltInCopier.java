package dev.cachet;

import dev.cachet.internal.copy.DefensiveCopy;
import dev.cachet.internal.copy.SerializingCopy;

/**
 * The singletons behind {@link Copier#identity()}, {@link Copier#defensive()} and {@link Copier#serializing()}. Caches
 * recognise them by identity (the identity copier skips copying, the defensive one lets always-immutable types pass
 * at no cost). The copy functions live in {@code dev.cachet.internal.copy}, which knows nothing of {@link Copier}:
 * this adapter is what keeps the two packages from depending on each other.
 */
enum BuiltInCopier implements Copier<Object> {
    IDENTITY {
        @Override
        public Object copy(Object value) {
            return value;
        }
    },
    DEFENSIVE {
        @Override
        public Object copy(Object value) {
            return DefensiveCopy.copy(value);
        }
    },
    SERIALIZING {
        @Override
        public Object copy(Object value) {
            return SerializingCopy.copy(value);
        }
    }
}

package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachet.NearKeys.Unkeyed;
import dev.cachet.internal.remote.DefaultKeyEncoder;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class NearKeysTest {
    /** An enum of the tests' keys. */
    enum Colour {
        RED
    }

    @Test
    void byKeyNamesTheKeyAMessageEncodesOnceItsEnumClassIsRemembered() {
        NearKeys<Object> keys = NearKeys.byKey();
        String red = DefaultKeyEncoder.encode(Colour.RED);
        assertThat(keys.of("k")).isEqualTo("k");
        assertThat(keys.named("s:k")).isEqualTo("k");
        assertThat(keys.named("l:7")).isEqualTo(7L);
        assertThat(keys.named("zz:7")).isSameAs(Unkeyed.NONE);
        assertThat(keys.named(red)).as("no constant of the class held yet").isSameAs(Unkeyed.NONE);
        keys.remember(Colour.RED);
        assertThat(keys.named(red)).isSameAs(Colour.RED);
    }

    @Test
    void byEncodedKeyKeysByTheEncoderStrings() {
        NearKeys<Integer> keys = NearKeys.byEncodedKey(key -> "n" + key);
        assertThat(keys.of(7)).isEqualTo("n7");
        assertThat(keys.of(7, "n7")).isEqualTo("n7");
        assertThat(keys.named("whatever")).isEqualTo("whatever");
    }

    /**
     * Two class loaders may each define an enum of one binary name, whose constants encode alike: a message about
     * one of them may be about either copy, so it cannot be told which, and the near tier drops everything.
     */
    @Test
    void anEnumNameSharedByTwoRememberedClassesNamesEveryKey() throws ReflectiveOperationException {
        Class<?> twin = new ReloadingLoader(Colour.class).loadClass(Colour.class.getName());
        assertThat(twin).isNotSameAs(Colour.class).hasToString(Colour.class.toString());
        Object twinRed = twin.getEnumConstants()[0];
        NearKeys<Object> keys = NearKeys.byKey();
        keys.remember(Colour.RED);
        assertThat(keys.named(DefaultKeyEncoder.encode(twinRed))).isSameAs(Colour.RED);
        keys.remember(twinRed);
        assertThat(keys.named(DefaultKeyEncoder.encode(Colour.RED))).isSameAs(Unkeyed.ALL);
    }

    /** Defines its own copy of one class from the class file, and leaves every other class to its parent. */
    private static final class ReloadingLoader extends ClassLoader {
        private final Class<?> reloaded;

        ReloadingLoader(Class<?> reloaded) {
            super(reloaded.getClassLoader());
            this.reloaded = reloaded;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(reloaded.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                String file = name.substring(name.lastIndexOf('.') + 1) + ".class";
                try (InputStream in = reloaded.getResourceAsStream(file)) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}

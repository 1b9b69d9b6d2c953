/**
 * A Redis tier for Cachet caches, on Jedis: codecs, cross-process locks, standalone and Cluster. Exports its one API
 * package; everything else in it is package-private.
 */
// Jedis and commons-pool2 are automatic modules (no module-info, an Automatic-Module-Name): javac warns about any
// "requires" of one, and RedisTier.using(UnifiedJedis) makes Jedis part of this module's API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.cachet.redis {
    // RedisTier implements the SPI and builds Caches.
    requires transitive dev.cachet;
    // RedisTier.using(UnifiedJedis), Codec.json(Class, ObjectMapper).
    requires transitive redis.clients.jedis;
    requires transitive com.fasterxml.jackson.databind;
    requires org.apache.commons.pool2;
    // Codec.compressed: LZ4 (an automatic module too).
    requires org.lz4.java;
    requires org.slf4j;

    exports dev.cachet.redis;
}

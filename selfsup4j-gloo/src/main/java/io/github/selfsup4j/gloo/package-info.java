/**
 * Real multi-process collectives for {@link io.github.selfsup4j.distributed.GatheredLoss} and
 * training: {@link io.github.selfsup4j.gloo.GlooCollective}, a JNI shim over Facebook's Gloo
 * (Debian's {@code libgloo-dev}) with TCP transport, rendezvous through a small TCP key-value
 * store hosted by rank 0 ({@link io.github.selfsup4j.gloo.TcpStore}, no shared file system), a
 * shared directory or a Redis server (Gloo's own RedisStore: {@link
 * io.github.selfsup4j.gloo.RedisStore}).
 */
package io.github.selfsup4j.gloo;

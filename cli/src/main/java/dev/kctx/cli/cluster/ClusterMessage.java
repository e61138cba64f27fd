package dev.kctx.cli.cluster;

/**
 * The messages that cross JVMs: reference.conf binds this marker to Akka's Jackson CBOR serializer.
 * Local messages (a command's submission, adapted cluster events) do not carry it and never leave the JVM.
 */
public interface ClusterMessage {
}

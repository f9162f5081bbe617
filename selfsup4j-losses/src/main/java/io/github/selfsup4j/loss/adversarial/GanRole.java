package io.github.selfsup4j.loss.adversarial;

import java.util.Locale;

/** Which player of a GAN a loss trains. */
public enum GanRole {
    /** The discriminator (the critic, for WGAN): inputs {@code real_logits}, {@code fake_logits}. */
    DISCRIMINATOR,
    /** The generator: input {@code fake_logits}. */
    GENERATOR;

    /** Parses "discriminator" (or "critic", "d") and "generator" (or "g"). */
    public static GanRole parse(String owner, String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "discriminator":
            case "critic":
            case "d":
                return DISCRIMINATOR;
            case "generator":
            case "g":
                return GENERATOR;
            default:
                throw new IllegalArgumentException(
                        owner + ": role must be \"discriminator\" or \"generator\", got \"" + s
                                + "\"");
        }
    }
}

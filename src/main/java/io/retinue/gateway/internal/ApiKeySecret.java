package io.retinue.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secret form of an API key, {@code rtn_<key id>_<secret>}: the prefix makes a leaked key recognisable to secret
 * scanners, the key id finds the row without revealing anything, and only a SHA-256 digest of the whole token is
 * stored (the token carries ~190 bits of randomness, so a slow password hash would add nothing).
 */
record ApiKeySecret(String keyId, String token) {

    private static final Pattern FORMAT = Pattern.compile("rtn_([A-Za-z0-9]{12})_([A-Za-z0-9]{32})");
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    static ApiKeySecret generate() {
        String keyId = randomText(12);
        return new ApiKeySecret(keyId, "rtn_" + keyId + "_" + randomText(32));
    }

    static Optional<ApiKeySecret> parse(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(token.trim());
        return matcher.matches() ? Optional.of(new ApiKeySecret(matcher.group(1), token.trim())) : Optional.empty();
    }

    String digest() {
        return digestOf(token);
    }

    /** Compares digests in constant time so response timing tells nothing about a guessed key. */
    boolean matches(String storedDigest) {
        return MessageDigest.isEqual(digest().getBytes(StandardCharsets.US_ASCII),
                storedDigest.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "ApiKeySecret[keyId=" + keyId + ", token=****]";
    }

    private static String digestOf(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", ex);
        }
    }

    private static String randomText(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}

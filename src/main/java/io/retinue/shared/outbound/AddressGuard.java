package io.retinue.shared.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps outbound HTTP that a tenant points somewhere away from the inside: only http(s), and no host that resolves to
 * a loopback, private, link-local (cloud metadata at 169.254.169.254 included), unique-local, carrier-grade-NAT,
 * multicast or unspecified address — unless its {@code host:port} is explicitly allowed.
 */
public class AddressGuard {

    /** A URL the guard refused, with the reason. */
    public static final class Refused extends RuntimeException {

        public Refused(String message) {
            super(message);
        }
    }

    private final Set<String> allowedInternal;
    private final String who;

    /**
     * @param allowedInternal {@code host:port} entries that may be reached although they are internal
     * @param who what is being kept away, for the refusal message ("tools", "model connections")
     */
    public AddressGuard(Collection<String> allowedInternal, String who) {
        this.allowedInternal = Set.copyOf(allowedInternal.stream().map(entry -> entry.toLowerCase(Locale.ROOT)).toList());
        this.who = who;
    }

    /** Refuses the URL unless it is http(s) to an outside address or an allowed internal one. */
    public void check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("only http and https URLs may be called, not '" + scheme + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Refused("the URL has no host");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (allowedInternal.contains((host + ":" + port).toLowerCase(Locale.ROOT))) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        }
        catch (UnknownHostException ex) {
            throw new Refused("the host '" + host + "' cannot be resolved");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address)) {
                throw new Refused("the host '" + host + "' resolves to an internal address (" + address.getHostAddress()
                        + "), which " + who + " may not reach");
            }
        }
    }

    public static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127) || first >= 240
                    || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0);
        }
        if (address instanceof Inet6Address) {
            int first = bytes[0] & 0xff;
            boolean uniqueLocal = (first & 0xfe) == 0xfc;
            boolean mappedV4 = isMappedV4(bytes);
            if (mappedV4) {
                try {
                    return isInternal(InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, 12, 16)));
                }
                catch (UnknownHostException ex) {
                    return true;
                }
            }
            return uniqueLocal;
        }
        return true;
    }

    private static boolean isMappedV4(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    }
}

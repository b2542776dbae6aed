package io.retinue.shared.outbound;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressNetwork;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;

/**
 * Keeps outbound HTTP that a tenant points somewhere away from the inside: only http(s), and no host that resolves to
 * a loopback, private, link-local (cloud metadata at 169.254.169.254 included), unique-local, carrier-grade-NAT,
 * multicast, unspecified or otherwise not globally reachable address, nor an IPv6 address carrying such an IPv4 one —
 * unless its {@code host:port} is explicitly allowed. The classification is the IPAddress library's, plus IANA's
 * special-purpose blocks it does not name.
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

    /**
     * Blocks of IANA's special-purpose registries that are not globally reachable and that the library's own
     * classification (loopback, private, link-local, unique-local, multicast, unspecified) does not name.
     */
    private static final List<IPAddress> NOT_GLOBAL = Stream.of(
            "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "240.0.0.0/4",
            "100::/64", "2001::/23", "2001:db8::/32", "fec0::/10")
        .map(block -> new IPAddressString(block).getAddress())
        .toList();

    private static final IPAddressNetwork.IPAddressGenerator ADDRESSES = new IPAddressNetwork.IPAddressGenerator();

    public static boolean isInternal(InetAddress address) {
        return isInternal(ADDRESSES.from(address));
    }

    private static boolean isInternal(IPAddress address) {
        if (address.isLoopback() || address.isLocal() || address.isLinkLocal() || address.isMulticast()
                || address.isUnspecified() || address.isAnyLocal()
                || NOT_GLOBAL.stream().anyMatch(block -> block.contains(address))) {
            return true;
        }
        // An IPv6 address that carries an IPv4 one (::127.0.0.1, ::ffff:10.0.0.1, 64:ff9b::a9fe:a9fe, 2002:7f00:1::)
        // reaches that IPv4 address through the stack or a translator: judged as that address.
        return address instanceof IPv6Address v6 && embeddedIPv4(v6).map(AddressGuard::isInternal).orElse(false);
    }

    private static Optional<IPv4Address> embeddedIPv4(IPv6Address address) {
        if (address.isIPv4Mapped() || address.isIPv4Compatible() || address.isWellKnownIPv4Translatable()
                || address.isIsatap()) {
            return Optional.of(address.getEmbeddedIPv4Address());
        }
        return address.is6To4() ? Optional.of(address.get6To4IPv4Address()) : Optional.empty();
    }
}

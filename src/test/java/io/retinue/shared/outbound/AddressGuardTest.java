package io.retinue.shared.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressGuardTest {

    private final AddressGuard guard = new AddressGuard(List.of("localhost:8081"), "webhooks");

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
            "100.64.0.1", "0.0.0.0", "0.1.2.3", "192.0.0.8", "198.18.0.1", "240.0.0.1", "255.255.255.255", "224.0.0.1",
            "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "2001:db8::1",
            // IPv6 addresses that carry an internal IPv4 one: compatible, mapped, NAT64, 6to4, ISATAP, Teredo
            "::127.0.0.1", "::7f00:1", "::10.0.0.1", "::169.254.169.254", "::ffff:127.0.0.1", "::ffff:7f00:1",
            "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2002:a00:1::1", "fe80::5efe:7f00:1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2" })
    void internalAddressesAreInternal(String address) throws Exception {
        assertThat(AddressGuard.isInternal(InetAddress.getByName(address))).as(address).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1111", "2a00:1450:4001::200e",
            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1" })
    void globalAddressesAreNot(String address) throws Exception {
        assertThat(AddressGuard.isInternal(InetAddress.getByName(address))).as(address).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://[::127.0.0.1]:8080/hook", "http://[::ffff:127.0.0.1]/", "https://[64:ff9b::a9fe:a9fe]/",
            "http://[::]:80/", "ftp://example.com/", "http:///nohost" })
    void urlsToTheInsideAreRefused(String url) {
        assertThatThrownBy(() -> guard.check(URI.create(url))).as(url).isInstanceOf(AddressGuard.Refused.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://localhost:8081/allowed", "http://LOCALHOST:8081/", "https://8.8.8.8/" })
    void allowedOrOutsideUrlsPass(String url) {
        guard.check(URI.create(url));
    }
}

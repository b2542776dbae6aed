package io.retinue.shared.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class TopologyTest {

    @Test
    void runsEveryModuleByDefault() {
        Topology topology = Topology.of(new MockEnvironment());
        assertThat(topology.isMonolith()).isTrue();
        assertThat(topology.name()).isEqualTo("all");
        assertThat(topology.remote()).isEmpty();
    }

    @Test
    void runsTheNamedRolesAndFindsTheOthersAtTheirUrls() {
        Topology topology = Topology.of(new MockEnvironment().withProperty("retinue.role", " Runtime , tools")
            .withProperty("retinue.services.agents.url", "http://agents:8081/"));
        assertThat(topology.local()).containsExactlyInAnyOrder("runtime", "tools");
        assertThat(topology.name()).isEqualTo("runtime+tools");
        assertThat(topology.urlOf("agents")).isEqualTo(URI.create("http://agents:8081"));
        assertThatThrownBy(() -> topology.urlOf("gateway")).hasMessageContaining("RETINUE_SERVICES_GATEWAY_URL");
        assertThatThrownBy(() -> topology.urlOf("tools")).hasMessageContaining("runs in this process");
    }

    @Test
    void findsSeveralProcessesOfAModule() {
        Topology topology = Topology.of(new MockEnvironment().withProperty("retinue.role", "gateway")
            .withProperty("retinue.services.runtime.url", "http://runtime-a:8080/, http://runtime-b:8080,,"));
        assertThat(topology.urlsOf("runtime")).containsExactly(URI.create("http://runtime-a:8080"),
                URI.create("http://runtime-b:8080"));
        assertThat(topology.urlOf("runtime")).isEqualTo(URI.create("http://runtime-a:8080"));
    }

    @Test
    void refusesUnknownRolesAndUrlsThatAreNotHttp() {
        assertThatThrownBy(() -> Topology.of(new MockEnvironment().withProperty("retinue.role", "agents,billing")))
            .hasMessageContaining("[billing]")
            .hasMessageContaining("gateway, agents, runtime, tools");
        assertThatThrownBy(() -> Topology.of(new MockEnvironment().withProperty("retinue.role", "gateway")
            .withProperty("retinue.services.agents.url", "ftp://agents"))).hasMessageContaining("http(s) URL");
    }
}

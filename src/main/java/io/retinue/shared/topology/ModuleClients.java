package io.retinue.shared.topology;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpMethod;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

import io.retinue.shared.outbound.OutboundCalls;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes the {@link ModuleClient} of a module another process runs: on the process's {@link ServiceHttp} client, the
 * application's own JSON mapping on both sides of the wire.
 */
@Component
public class ModuleClients {

    private final Topology topology;
    private final ServiceInstances instances;
    private final InternalTokens tokens;
    private final OutboundCalls outbound;
    private final Duration timeout;
    private final int maxConcurrent;
    private final RestClient.Builder http;

    public ModuleClients(Topology topology, ServiceInstances instances, InternalTokens tokens, OutboundCalls outbound,
            ServiceHttp serviceHttp, JsonMapper json, @Value("${retinue.services.timeout:10s}") Duration timeout,
            @Value("${retinue.services.max-concurrent:1000}") int maxConcurrent) {
        this.topology = topology;
        this.instances = instances;
        this.tokens = tokens;
        this.outbound = outbound;
        this.timeout = timeout;
        this.maxConcurrent = maxConcurrent;
        this.http = RestClient.builder()
            .requestFactory(serviceHttp.requests())
            // A body goes with its length, in one piece: chunked, the module would read on until the chunk that ends
            // it, which may come in a packet of its own. Bodies are small JSON documents.
            .bufferContent((uri, method) -> HttpMethod.POST.equals(method))
            .configureMessageConverters(converters -> converters.registerDefaults()
                .withJsonConverter(new JacksonJsonHttpMessageConverter(json)));
    }

    /** The client of {@code module}, which must run elsewhere with its URL configured. */
    public ModuleClient of(String module) {
        topology.urlsOf(module); // fails now, naming the setting, when its URL is missing
        return new ModuleClient(module, topology.name(), instances, http.clone(), tokens, outbound, timeout,
                maxConcurrent);
    }
}

package io.retinue;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;

/**
 * Retinue: one application whose modules (gateway, agents, runtime, tools) are cut along the services they can later
 * become.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
public class RetinueApplication {

    /*
     * Spring AI reads Anthropic's streamed answers with a blocking iterator on Reactor's boundedElastic scheduler, whose
     * threads are capped at ten per core: with more streams than that at once, each further one waited for another to
     * end before its first token (ProvidersIT). Set before Reactor's schedulers first load: on virtual threads, capped
     * as high as the model calls an instance lets be in flight by default. An operator's own -D settings win.
     */
    static {
        byDefault("reactor.schedulers.defaultBoundedElasticOnVirtualThreads", "true");
        byDefault("reactor.schedulers.defaultBoundedElasticSize", "10000");
    }

    private static void byDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    public static void main(String[] args) {
        SpringApplication.run(RetinueApplication.class, args);
    }
}

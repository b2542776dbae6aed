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

    public static void main(String[] args) {
        SpringApplication.run(RetinueApplication.class, args);
    }
}

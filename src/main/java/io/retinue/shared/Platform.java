package io.retinue.shared;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Platform-wide beans: the clock every module reads time from (so tests can reason about it) and scheduling. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class Platform {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}

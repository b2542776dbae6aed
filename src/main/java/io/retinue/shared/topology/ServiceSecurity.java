package io.retinue.shared.topology;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;

import io.retinue.shared.ProblemType;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

import jakarta.servlet.DispatcherType;

/**
 * What one Retinue process accepts from another. The internal endpoints ({@code /internal/**}, the module APIs over
 * HTTP) take only an {@link InternalTokens internal token}, in every topology. Where the gateway runs elsewhere, so
 * does the public API: it arrives through the gateway, which authenticated and authorised the client and sends an
 * internal token in its place, so a service port reached directly with an API key, a user's JWT or nothing answers
 * 401. Health stays open for probes.
 */
@Configuration(proxyBeanMethods = false)
class ServiceSecurity {

    private static final String[] PROBES = { "/actuator/health", "/actuator/health/**", "/error" };

    @Bean
    @Order(1)
    SecurityFilterChain internalEndpoints(HttpSecurity http, InternalTokens tokens, ProblemWriter problems)
            throws Exception {
        return internalOnly(http.securityMatcher("/internal/**"), tokens, problems)
            .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
            .build();
    }

    @Bean
    @ConditionalOnModule(value = "gateway", runsHere = false)
    SecurityFilterChain serviceApi(HttpSecurity http, InternalTokens tokens, ProblemWriter problems) throws Exception {
        return internalOnly(http, tokens, problems)
            .authorizeHttpRequests(requests -> requests.requestMatchers(PROBES)
                .permitAll()
                // A stream ends with the container dispatching its request again: it was authorized when it began.
                .dispatcherTypeMatchers(DispatcherType.ASYNC)
                .permitAll()
                .anyRequest()
                .authenticated())
            .build();
    }

    /**
     * With Spring Security's observations switched off (the default, see application.yaml) its filters are not
     * wrapped in observations at all: merely switched off, each filter of each request still went through the
     * observing decorator and allocated its contexts. Every process's chains, the services' too.
     */
    @Bean
    @ConditionalOnProperty(name = "management.observations.enable.spring.security", havingValue = "false",
            matchIfMissing = true)
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    private static HttpSecurity internalOnly(HttpSecurity http, InternalTokens tokens, ProblemWriter problems)
            throws Exception {
        AuthenticationEntryPoint unauthenticated = (request, response, ex) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            problems.write(response, Problems.of(ProblemType.UNAUTHENTICATED,
                    "This port answers Retinue's own processes only; clients call the gateway"));
        };
        return http.csrf(AbstractHttpConfigurer::disable)
            .httpBasic(AbstractHttpConfigurer::disable)
            .formLogin(AbstractHttpConfigurer::disable)
            .logout(AbstractHttpConfigurer::disable)
            .requestCache(AbstractHttpConfigurer::disable)
            .anonymous(AbstractHttpConfigurer::disable)
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .oauth2ResourceServer(oauth -> oauth.jwt(jwt -> jwt.decoder(tokens.decoder())
                .jwtAuthenticationConverter(verified -> new InternalCaller(InternalTokens.callerOf(verified))))
                .authenticationEntryPoint(unauthenticated))
            .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthenticated)
                .accessDeniedHandler((request, response, ex) -> problems.write(response,
                        Problems.of(ProblemType.FORBIDDEN, "The caller lacks the scope this operation needs"))));
    }
}

package io.retinue.shared.metrics;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;

import io.retinue.shared.ProblemType;
import io.retinue.shared.web.ProblemWriter;
import io.retinue.shared.web.Problems;

/**
 * Who may read {@code /actuator/prometheus}: a scraper presenting the scrape token
 * ({@code retinue.metrics.scrape-token}) as a bearer token, on every process of any topology — each process is
 * scraped on its own port, and the services of the split shape take no API keys. Not an API key: a credential that
 * can do everything should not sit in a scraper's configuration. No token configured: nobody may.
 */
@Configuration(proxyBeanMethods = false)
class ScrapeSecurity {

    @Bean
    @Order(0)
    SecurityFilterChain metricsScrape(HttpSecurity http, ProblemWriter problems,
            @Value("${retinue.metrics.scrape-token:}") String token) throws Exception {
        ScrapeToken scrapeToken = ScrapeToken.of(token);
        AuthenticationEntryPoint unauthenticated = (request, response, ex) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            problems.write(response, Problems.of(ProblemType.UNAUTHENTICATED,
                    "Present the scrape token (retinue.metrics.scrape-token) as 'Authorization: Bearer <token>'"));
        };
        return http.securityMatcher("/actuator/prometheus")
            .csrf(AbstractHttpConfigurer::disable)
            .httpBasic(AbstractHttpConfigurer::disable)
            .formLogin(AbstractHttpConfigurer::disable)
            .logout(AbstractHttpConfigurer::disable)
            .requestCache(AbstractHttpConfigurer::disable)
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .authorizeHttpRequests(requests -> requests.anyRequest()
                .access((authentication, context) -> new AuthorizationDecision(
                        scrapeToken.matches(context.getRequest()))))
            .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthenticated)
                .accessDeniedHandler((request, response, ex) -> unauthenticated.commence(request, response, null)))
            .build();
    }
}

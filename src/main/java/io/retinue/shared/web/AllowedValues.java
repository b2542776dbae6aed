package io.retinue.shared.web;

import java.util.Arrays;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.retinue.shared.DomainProblem;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Holds every query parameter to the values its API documentation allows ({@code @Schema(allowableValues)}): an
 * unknown value is 400 invalid-parameter naming it, rather than a filter that silently matches nothing.
 */
@Configuration(proxyBeanMethods = false)
class AllowedValues implements WebMvcConfigurer, HandlerInterceptor {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (handler instanceof HandlerMethod method) {
            for (MethodParameter parameter : method.getMethodParameters()) {
                check(request, parameter);
            }
        }
        return true;
    }

    private static void check(HttpServletRequest request, MethodParameter parameter) {
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        List<String> allowed = allowed(parameter);
        if (param == null || allowed.isEmpty()) {
            return;
        }
        String name = !param.name().isEmpty() ? param.name() : parameter.getParameterName();
        String[] values = name == null ? null : request.getParameterValues(name);
        if (values == null) {
            return;
        }
        for (String value : values) {
            if (!allowed.contains(value)) {
                throw DomainProblem.invalidParameter(name, name + " must be one of " + String.join(", ", allowed));
            }
        }
    }

    private static List<String> allowed(MethodParameter parameter) {
        Schema schema = parameter.getParameterAnnotation(Schema.class);
        if (schema == null) {
            Parameter documented = parameter.getParameterAnnotation(Parameter.class);
            schema = documented == null ? null : documented.schema();
        }
        return schema == null ? List.of() : Arrays.asList(schema.allowableValues());
    }
}

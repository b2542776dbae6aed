/**
 * The small shared kernel every module may use: tenant and caller identity with the role and scope vocabulary
 * ({@link io.retinue.shared.Role}, {@link io.retinue.shared.Scopes}), the problem-detail vocabulary and the
 * HTTP edge plumbing (request ids, body limits, central error mapping). If this grows, a concept is missing.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.retinue.shared;

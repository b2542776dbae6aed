/**
 * The small shared kernel every module may use: tenant and caller identity, the problem-detail vocabulary and the
 * HTTP edge plumbing (request ids, body limits, central error mapping). If this grows, a concept is missing.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.retinue.shared;

package io.retinue.gateway.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.retinue.gateway.TenantData;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.ProblemType;
import io.retinue.shared.TenantId;

/**
 * Removing a tenant is a saga across every module that keeps something of it (in the split, the agents, runtime and
 * tools services, each with its own database). First the tenant is suspended — status {@code suspending}: the gateway
 * refuses its callers, and each module is asked to stop the work it does of its own accord for it (the runtime's
 * schedules and queued runs). If a module cannot be asked, that is undone: every module resumes, the tenant is
 * {@code active} again, and the removal answers 503. Once every module has stopped, the removal cannot be undone
 * (status {@code removing}): each module erases what it keeps of the tenant — the runtime only once the tenant's runs
 * in progress have ended, which it asks them to — asked again by {@link #finishPending()} until all have, and then the
 * gateway erases its own rows (keys, users, limits, audit entries) and the tenant. The removal's own audit entries are
 * kept, under the tenant of the admin who asked for it.
 */
@Service
public class TenantRemovals {

    private static final Logger log = LoggerFactory.getLogger(TenantRemovals.class);

    static final ProblemType NOT_REMOVABLE = ProblemType.of("gateway/tenant-not-removable", HttpStatus.CONFLICT,
            "Tenant cannot be removed");

    private final TenantDirectory tenants;
    private final List<TenantData> modules;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Duration stalledAfter;

    TenantRemovals(TenantDirectory tenants, List<TenantData> modules, AuditLog audit, TransactionTemplate transactions,
            Clock clock, @Value("${retinue.gateway.tenant-removal.stalled-after:2m}") Duration stalledAfter) {
        this.tenants = tenants;
        // The runtime first: its runs use what the agents and tools modules keep.
        this.modules = modules.stream()
            .sorted(java.util.Comparator.comparing(module -> module.module().equals("runtime") ? 0 : 1))
            .toList();
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.stalledAfter = stalledAfter;
    }

    /**
     * Starts removing {@code tenant} and erases what can be erased at once; the tenant as it then stands (removing,
     * with the modules yet to erase it). The tenant itself goes in a later pass of {@link #finishPending()}.
     */
    public TenantDirectory.Tenant remove(Caller caller, TenantId tenant) {
        TenantDirectory.Tenant found = tenants.find(tenant)
            .orElseThrow(() -> DomainProblem.notFound("Tenant '" + tenant + "'"));
        if (tenant.equals(TenantId.DEFAULT) || tenant.equals(caller.tenant())) {
            throw new DomainProblem(NOT_REMOVABLE, "Tenant '" + tenant + "' is "
                    + (tenant.equals(TenantId.DEFAULT) ? "the installation's own" : "the one removing it")
                    + " and cannot be removed");
        }
        List<String> all = modules.stream().map(TenantData::module).toList();
        if (found.status().equals(TenantDirectory.ACTIVE)) {
            if (!tenants.move(tenant, TenantDirectory.ACTIVE, TenantDirectory.SUSPENDING, all)) {
                return remove(caller, tenant);
            }
            audit.success(caller.tenant(), caller.principalId(), "tenant.removal_started", "tenant:" + tenant, null);
            suspend(tenant);
            tenants.move(tenant, TenantDirectory.SUSPENDING, TenantDirectory.REMOVING, all);
        }
        else if (found.status().equals(TenantDirectory.SUSPENDING)) {
            // Another request is suspending it (or one stopped half-way, put back by finishPending): not ours to go on.
            return found;
        }
        erase(tenant, false);
        return tenants.find(tenant).orElseThrow(() -> DomainProblem.notFound("Tenant '" + tenant + "'"));
    }

    /** Asks every module to stop the tenant's work; if one cannot be asked, undoes it all and answers why. */
    private void suspend(TenantId tenant) {
        List<TenantData> asked = new ArrayList<>();
        try {
            for (TenantData module : modules) {
                // Asked counts from before the call: one that failed may have stopped the work all the same.
                asked.add(module);
                module.suspend(tenant);
            }
        }
        catch (RuntimeException failed) {
            putBack(tenant, asked);
            throw failed;
        }
    }

    /**
     * The compensation: every module asked resumes the tenant's work, then the tenant is active again. One that
     * cannot be asked may still hold the work stopped: the tenant stays suspending, and {@link #finishPending()} asks
     * again until it answers.
     */
    private void putBack(TenantId tenant, List<TenantData> asked) {
        for (TenantData module : asked) {
            try {
                module.resume(tenant);
            }
            catch (RuntimeException unreachable) {
                log.warn("Tenant {} could not be resumed in {} ({}); asked again later", tenant, module.module(),
                        unreachable.getMessage());
                return;
            }
        }
        if (tenants.move(tenant, TenantDirectory.SUSPENDING, TenantDirectory.ACTIVE, List.of())) {
            log.info("The removal of tenant {} was given up; it is active again", tenant);
        }
    }

    /**
     * One erasing pass: each module yet to erase the tenant is asked; once none is left (and {@code mayFinish}), the
     * gateway's rows go.
     */
    private void erase(TenantId tenant, boolean mayFinish) {
        TenantDirectory.Tenant current = tenants.find(tenant).orElse(null);
        if (current == null || !current.status().equals(TenantDirectory.REMOVING)) {
            return;
        }
        List<String> pending = new ArrayList<>();
        boolean before = true;
        for (TenantData module : modules) {
            if (!current.removalPending().contains(module.module())) {
                continue;
            }
            // The runtime first, and the others only once it is done: its runs still ending use what they keep.
            if (before) {
                try {
                    before = module.erase(tenant);
                }
                catch (RuntimeException unavailable) {
                    log.info("Tenant {} is not yet erased in {}: {}", tenant, module.module(),
                            unavailable.getMessage());
                    before = false;
                }
            }
            if (!before) {
                pending.add(module.module());
            }
        }
        // Callers whose standing another gateway process still holds may have acted meanwhile: the tenant goes only
        // once that is over, and the modules are asked once more after it.
        boolean settled = current.removalStartedAt().plus(TenantDirectory.FRESHNESS.multipliedBy(2))
            .isBefore(clock.instant());
        if (pending.isEmpty() && settled && mayFinish) {
            if (Boolean.TRUE.equals(transactions.execute(status -> tenants.erase(tenant)))) {
                audit.success(TenantId.DEFAULT, "service:gateway", "tenant.removed", "tenant:" + tenant, null);
                log.info("Tenant {} is removed", tenant);
            }
            return;
        }
        tenants.move(tenant, TenantDirectory.REMOVING, TenantDirectory.REMOVING,
                pending.isEmpty() ? modules.stream().map(TenantData::module).toList() : pending);
    }

    /**
     * Goes on with removals under way: erasing passes for tenants being removed, and putting back those whose
     * suspension stopped half-way (its process stopped) longer ago than any step can take.
     */
    @Scheduled(fixedDelayString = "${retinue.gateway.tenant-removal.check-interval:5s}", initialDelayString = "10s")
    void finishPending() {
        try {
            for (TenantId tenant : tenants.inStatus(TenantDirectory.REMOVING, clock.instant())) {
                erase(tenant, true);
            }
            for (TenantId tenant : tenants.inStatus(TenantDirectory.SUSPENDING, clock.instant().minus(stalledAfter))) {
                putBack(tenant, modules);
            }
        }
        catch (RuntimeException failed) {
            log.warn("Tenant removals could not go on now: {}", failed.getMessage());
        }
    }
}

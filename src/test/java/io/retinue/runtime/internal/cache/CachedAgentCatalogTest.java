package io.retinue.runtime.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

import io.retinue.agents.AgentArchived;
import io.retinue.agents.AgentCatalog;
import io.retinue.agents.AgentConfig;
import io.retinue.agents.AgentDeleted;
import io.retinue.agents.AgentId;
import io.retinue.agents.AgentRenamed;
import io.retinue.agents.AgentSpec;
import io.retinue.agents.AgentUnarchived;
import io.retinue.agents.AgentVersionPublished;
import io.retinue.shared.TenantId;
import io.retinue.tools.ToolCatalog;

/**
 * The runtime's cache of agent specs against an owner that counts what it is asked and answers what the test says
 * the agents module holds: runs of one agent read its spec once, and every event that changes the spec ends what is
 * kept for it, after the change committed, including a read that was under way when it did.
 */
class CachedAgentCatalogTest {

    private static final TenantId ACME = new TenantId("acme");
    private static final TenantId OTHER = new TenantId("other");
    private static final AgentId HELPER = AgentId.random();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** The agents module as the test sets it up: the live version of each agent (none: archived or deleted). */
    private final Map<String, Integer> live = new ConcurrentHashMap<>(Map.of("acme/helper", 1, "other/helper", 1));
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AgentCatalog owner = (tenant, ref, version) -> {
        reads.incrementAndGet();
        String slug = ref.equals(HELPER.toString()) ? "helper" : ref;
        Integer current = live.get(tenant.value() + "/" + slug);
        if (current == null && version == null || !slug.equals("helper")) {
            return Optional.empty();
        }
        return Optional.of(spec(tenant, version == null ? current : version, current));
    };
    private final CacheProperties properties = new CacheProperties(100L, Duration.ofSeconds(30),
            Duration.ofMinutes(10), Duration.ofSeconds(2));
    private final CachedAgentCatalog catalog = new CachedAgentCatalog(owner, properties, nanos::get);

    @AfterEach
    void noTransaction() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
    }

    @Test
    void runsOfTheSameAgentReadItsSpecOnce() {
        for (int run = 0; run < 10; run++) {
            assertThat(catalog.spec(ACME, "helper", null)).map(AgentSpec::version).contains(1);
        }
        assertThat(reads).hasValue(1);
        catalog.spec(ACME, "helper", 1);
        catalog.spec(ACME, "helper", 1);
        assertThat(reads).as("a pinned version is another answer").hasValue(2);
        catalog.spec(ACME, HELPER.toString(), null);
        catalog.spec(ACME, HELPER.toString().toUpperCase(), null);
        assertThat(reads).as("the id in any case is one agent").hasValue(3);
    }

    @Test
    void tenantsAreKeptApart() {
        catalog.spec(ACME, "helper", null);
        catalog.spec(OTHER, "helper", null);
        assertThat(reads).hasValue(2);
        live.put("acme/helper", 2);
        catalog.invalidate(ACME, HELPER, "helper");
        assertThat(catalog.spec(ACME, "helper", null)).map(AgentSpec::version).contains(2);
        assertThat(catalog.spec(OTHER, "helper", null)).map(AgentSpec::version).contains(1);
        assertThat(reads).as("only acme's agent was read again").hasValue(3);
    }

    @Test
    void anAgentsEventEndsWhatIsKeptForItUnderItsIdAndItsSlugForEveryVersion() {
        catalog.spec(ACME, "helper", null);
        catalog.spec(ACME, HELPER.toString(), null);
        catalog.spec(ACME, "helper", 1);
        catalog.spec(ACME, "someone-else", null);
        assertThat(reads).hasValue(4);

        live.put("acme/helper", 2);
        catalog.invalidate(ACME, HELPER, "helper");
        assertThat(catalog.spec(ACME, "helper", null)).map(AgentSpec::version).contains(2);
        assertThat(catalog.spec(ACME, HELPER.toString(), null)).map(AgentSpec::version).contains(2);
        assertThat(catalog.spec(ACME, "helper", 1)).map(AgentSpec::live).as("no longer the live one").contains(false);
        catalog.spec(ACME, "someone-else", null);
        assertThat(reads).as("the other agent's answer stays").hasValue(7);
    }

    @Test
    void eachEventThatChangesASpecEndsItOnceItsTransactionCommitted() {
        CachedToolCatalog tools = new CachedToolCatalog((caller, agent) -> List.of(), properties, nanos::get);
        CachedToolAvailability availability = new CachedToolAvailability((caller, agent, names) -> List.of(),
                properties, nanos::get);
        CacheInvalidation invalidation = new CacheInvalidation(catalog, tools, availability);
        List<Runnable> events = List.of(
                () -> invalidation.on(new AgentVersionPublished(HELPER, ACME, "helper", 2, 1, false, "d", NOW)),
                () -> invalidation.on(new AgentArchived(HELPER, ACME, "helper", NOW)),
                () -> invalidation.on(new AgentUnarchived(HELPER, ACME, "helper", NOW)),
                () -> invalidation.on(new AgentRenamed(HELPER, ACME, "helper", "Helper 2", NOW)),
                () -> invalidation.on(new AgentDeleted(HELPER, ACME, "helper", NOW)));
        for (Runnable event : events) {
            catalog.spec(ACME, "helper", null);
            int before = reads.get();

            TransactionSynchronizationManager.initSynchronization();
            event.run();
            catalog.spec(ACME, "helper", null);
            assertThat(reads).as("not before the change committed").hasValue(before);
            TransactionSynchronizationUtils.triggerAfterCommit();
            TransactionSynchronizationManager.clearSynchronization();
            catalog.spec(ACME, "helper", null);
            assertThat(reads).as("read again once it did").hasValue(before + 1);

            TransactionSynchronizationManager.initSynchronization();
            event.run();
            TransactionSynchronizationUtils.invokeAfterCompletion(
                    TransactionSynchronizationManager.getSynchronizations(), TransactionSynchronization.STATUS_ROLLED_BACK);
            TransactionSynchronizationManager.clearSynchronization();
            catalog.spec(ACME, "helper", null);
            assertThat(reads).as("a change rolled back changes nothing").hasValue(before + 1);

            event.run();
            catalog.spec(ACME, "helper", null);
            assertThat(reads).as("without a transaction, at once").hasValue(before + 2);
        }
    }

    @Test
    void aReadUnderWayWhenTheChangeCommitsIsNotServedAfterIt() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch changed = new CountDownLatch(1);
        AtomicInteger slowReads = new AtomicInteger();
        CachedAgentCatalog slow = new CachedAgentCatalog((tenant, ref, version) -> {
            Optional<AgentSpec> before = owner.spec(tenant, ref, version);
            if (slowReads.incrementAndGet() == 1) {
                reading.countDown();
                await(changed);
            }
            return before;
        }, properties, nanos::get);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<AgentSpec>> early = pool.submit(() -> slow.spec(ACME, "helper", null));
            await(reading);
            live.put("acme/helper", 2);
            slow.invalidate(ACME, HELPER, "helper");
            changed.countDown();
            assertThat(early.get(5, TimeUnit.SECONDS)).map(AgentSpec::version).as("read before the change").contains(1);
        }
        assertThat(slow.spec(ACME, "helper", null)).map(AgentSpec::version).contains(2);
        assertThat(slow.spec(ACME, "helper", null)).map(AgentSpec::version).contains(2);
        assertThat(slowReads).hasValue(2);
    }

    @Test
    void notFoundIsKeptBrieflyLiveSpecsForTheTimeToLiveAndPinnedOnesLonger() {
        catalog.spec(ACME, "nobody", null);
        catalog.spec(ACME, "helper", null);
        catalog.spec(ACME, "helper", 1);
        assertThat(reads).hasValue(3);
        advance(Duration.ofMillis(1_900));
        catalog.spec(ACME, "nobody", null);
        assertThat(reads).hasValue(3);
        advance(Duration.ofMillis(200));
        catalog.spec(ACME, "nobody", null);
        catalog.spec(ACME, "helper", null);
        assertThat(reads).as("the not-found answer is read again after 2 s").hasValue(4);
        advance(Duration.ofSeconds(28));
        catalog.spec(ACME, "helper", null);
        catalog.spec(ACME, "helper", 1);
        assertThat(reads).as("the live spec after 30 s").hasValue(5);
        advance(Duration.ofMinutes(10));
        catalog.spec(ACME, "helper", 1);
        assertThat(reads).as("the pinned one after 10 min").hasValue(6);
    }

    @Test
    void aFailedReadIsNotKept() {
        AtomicInteger calls = new AtomicInteger();
        CachedAgentCatalog failing = new CachedAgentCatalog((tenant, ref, version) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("agents service unavailable");
            }
            return owner.spec(tenant, ref, version);
        }, properties, nanos::get);
        assertThatThrownBy(() -> failing.spec(ACME, "helper", null)).isInstanceOf(IllegalStateException.class);
        assertThat(failing.spec(ACME, "helper", null)).isPresent();
        assertThat(failing.spec(ACME, "helper", null)).isPresent();
        assertThat(calls).hasValue(2);
    }

    @Test
    void noEntriesMeansNoCache() {
        CachedAgentCatalog off = new CachedAgentCatalog(owner, new CacheProperties(0L, null, null, null), nanos::get);
        off.spec(ACME, "helper", null);
        off.spec(ACME, "helper", null);
        off.invalidate(ACME, HELPER, "helper");
        assertThat(reads).hasValue(2);
    }

    @Test
    void moreInvalidatedAgentsThanEntriesLetEverythingReadBeforeGo() {
        CachedAgentCatalog small = new CachedAgentCatalog(owner, new CacheProperties(4L, null, null, null), nanos::get);
        small.spec(ACME, "helper", null);
        for (int agent = 0; agent < 3; agent++) {
            small.invalidate(ACME, AgentId.random(), "agent-" + agent);
        }
        small.spec(ACME, "helper", null);
        assertThat(reads).as("more agents invalidated than the cache holds answers: every earlier answer goes").hasValue(2);
        small.spec(ACME, "helper", null);
        assertThat(reads).hasValue(2);
    }

    @Test
    void theToolCachesAreKeptPerCallerAndEndedForTheWholeTenant() {
        AtomicInteger toolReads = new AtomicInteger();
        ToolCatalog counting = (caller, agent) -> {
            toolReads.incrementAndGet();
            return List.of();
        };
        CachedToolCatalog tools = new CachedToolCatalog(counting, properties, nanos::get);
        var reader = new io.retinue.shared.Caller(ACME, "key:reader", java.util.Set.of("runs:execute"));
        var admin = new io.retinue.shared.Caller(ACME, "key:admin", java.util.Set.of("runs:execute", "tools:write"));
        var stranger = new io.retinue.shared.Caller(OTHER, "key:reader", java.util.Set.of("runs:execute"));
        for (int run = 0; run < 5; run++) {
            tools.availableTo(reader, "helper");
            tools.availableTo(admin, "helper");
            tools.availableTo(stranger, "helper");
        }
        assertThat(toolReads).hasValue(3);
        tools.availableTo(reader, "other-agent");
        assertThat(toolReads).hasValue(4);
        tools.invalidate(ACME);
        tools.availableTo(reader, "helper");
        tools.availableTo(admin, "helper");
        tools.availableTo(stranger, "helper");
        assertThat(toolReads).hasValue(6);
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException interrupted) {
            throw new IllegalStateException(interrupted);
        }
    }

    private static AgentSpec spec(TenantId tenant, int version, Integer live) {
        AgentConfig config = null;
        return new AgentSpec(HELPER, tenant, "helper", "Helper", version, live != null && live == version, config,
                "digest-" + version, NOW);
    }
}

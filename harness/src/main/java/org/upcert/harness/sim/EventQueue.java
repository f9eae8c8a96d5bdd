package org.upcert.harness.sim;

import java.util.PriorityQueue;

/**
 * The discrete-event queue: events ordered by virtual time, ties broken by insertion order, so
 * two events at the same millisecond always run in the order they were scheduled. Bounded: a
 * runaway feedback loop in the simulator fails loudly instead of eating memory.
 */
public final class EventQueue {
    /** More pending events than any sane run needs; exceeding it is a simulator bug. */
    public static final int CAPACITY = 5_000_000;

    /** A scheduled event. Cancel it by {@link #cancel()}; a cancelled event is skipped. */
    public static final class Event implements Comparable<Event> {
        private final long time;
        private final long seq;
        private final String label;
        private final Runnable action;
        private boolean cancelled;

        private Event(long time, long seq, String label, Runnable action) {
            this.time = time;
            this.seq = seq;
            this.label = label;
            this.action = action;
        }

        public long time() {
            return time;
        }

        public String label() {
            return label;
        }

        public void cancel() {
            cancelled = true;
        }

        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long nextSeq;

    /** Schedules {@code action} at virtual time {@code time}. */
    public Event schedule(long time, String label, Runnable action) {
        if (queue.size() >= CAPACITY) {
            throw new IllegalStateException("event queue overflow (" + CAPACITY + " pending events) at " + label);
        }
        Event event = new Event(time, nextSeq++, label, action);
        queue.add(event);
        return event;
    }

    /** The time of the next live event, or {@link Long#MAX_VALUE} if none. */
    public long peekTime() {
        dropCancelled();
        Event head = queue.peek();
        return head == null ? Long.MAX_VALUE : head.time;
    }

    /** Runs the next live event if it is due at or before {@code limit}; returns whether one ran. */
    public boolean runNextUpTo(long limit, VirtualClock clock) {
        dropCancelled();
        Event head = queue.peek();
        if (head == null || head.time > limit) {
            return false;
        }
        queue.poll();
        clock.advanceTo(Math.max(clock.now(), head.time));
        head.action.run();
        return true;
    }

    /**
     * The time of the earliest live event due at or before {@code limit} whose label {@code label}
     * accepts, or {@link Long#MAX_VALUE} if none; runs nothing. The minimum over the whole queue,
     * whatever order it is stored in, so the answer is deterministic.
     */
    public long firstDueUpTo(long limit, java.util.function.Predicate<String> label) {
        long first = Long.MAX_VALUE;
        for (Event event : queue) {
            if (!event.cancelled && event.time <= limit && event.time < first && label.test(event.label)) {
                first = event.time;
            }
        }
        return first;
    }

    /** Whether any live event is pending. */
    public boolean isEmpty() {
        return peekTime() == Long.MAX_VALUE;
    }

    private void dropCancelled() {
        while (!queue.isEmpty() && queue.peek().cancelled) {
            queue.poll();
        }
    }
}

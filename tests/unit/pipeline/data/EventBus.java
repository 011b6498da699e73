package com.example.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A synchronous publish-subscribe bus keyed by event type. */
public final class EventBus {

    public interface Event {
        String name();
    }

    @FunctionalInterface
    public interface Listener<E extends Event> {
        void onEvent(E event) throws Exception;
    }

    public interface ErrorHandler {
        void handle(Event event, Exception error);
    }

    private final Map<Class<?>, List<Listener<? extends Event>>> listeners = new ConcurrentHashMap<>();
    private final ErrorHandler errorHandler;
    private long delivered;

    public EventBus() {
        this((event, error) -> System.err.println("listener failed on " + event.name() + ": " + error));
    }

    public EventBus(ErrorHandler errorHandler) {
        this.errorHandler = errorHandler;
    }

    public <E extends Event> Runnable subscribe(Class<E> type, Listener<E> listener) {
        listeners.computeIfAbsent(type, key -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> unsubscribe(type, listener);
    }

    public <E extends Event> boolean unsubscribe(Class<E> type, Listener<E> listener) {
        List<Listener<? extends Event>> forType = listeners.get(type);
        return forType != null && forType.remove(listener);
    }

    @SuppressWarnings("unchecked")
    public <E extends Event> int publish(E event) {
        int count = 0;
        for (Map.Entry<Class<?>, List<Listener<? extends Event>>> entry : listeners.entrySet()) {
            if (!entry.getKey().isInstance(event)) {
                continue;
            }
            for (Listener<? extends Event> raw : entry.getValue()) {
                Listener<E> listener = (Listener<E>) raw;
                try {
                    listener.onEvent(event);
                    count++;
                } catch (Exception error) {
                    errorHandler.handle(event, error);
                }
            }
        }
        delivered += count;
        return count;
    }

    public void publishAll(List<? extends Event> events, Consumer<Integer> onEach) {
        for (Event event : events) {
            onEach.accept(publish(event));
        }
    }

    public long delivered() {
        return delivered;
    }

    public List<Class<?>> types() {
        return new ArrayList<>(listeners.keySet());
    }

    public static void main(String[] args) {
        EventBus bus = new EventBus();
        Runnable cancel = bus.subscribe(Event.class, e -> System.out.println("got " + e.name()));
        bus.publish(() -> "started");
        cancel.run();
        bus.publish(new Event() {
            @Override
            public String name() {
                return "ignored";
            }
        });
        System.out.println("delivered " + bus.delivered());
    }
}

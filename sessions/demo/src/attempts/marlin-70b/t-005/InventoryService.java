package com.acme.inventory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stock levels per warehouse, reservations and reorder suggestions.
 * Used by the order service and the nightly purchasing job.
 */
public class InventoryService {

    private static final int DEFAULT_LEAD_TIME_DAYS = 7;
    private static final int URGENT_LEAD_TIME_DAYS = 14;

    private final Map<String, Map<String, Integer>> stock = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<String> audit = new ArrayList<>();

    private static void requireText(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requirePositive(int quantity) {
        if (quantity <= 0) {
            throw new IllegalArgumentException("quantity must be positive");
        }
    }

    public void receive(String warehouse, String sku, int quantity, String supplier, String reference) {
        requireText(warehouse, "warehouse");
        requireText(sku, "sku");
        requirePositive(quantity);
        stock.computeIfAbsent(warehouse, w -> new HashMap<>()).merge(sku, quantity, Integer::sum);
        audit.add("RECEIVE " + warehouse + " " + sku + " " + quantity + " from " + supplier + " ref " + reference);
    }

    /** Units of sku on hand in the warehouses whose name starts with regionPrefix (all when it is null). */
    private int onHand(String sku, String regionPrefix) {
        int total = 0;
        for (Map.Entry<String, Map<String, Integer>> entry : stock.entrySet()) {
            if (regionPrefix == null || entry.getKey().startsWith(regionPrefix)) {
                total += entry.getValue().getOrDefault(sku, 0);
            }
        }
        return total;
    }

    private int unreserved(String sku, String regionPrefix) {
        return onHand(sku, regionPrefix) - reserved.getOrDefault(sku, 0);
    }

    public boolean reserve(String sku, int quantity, String orderId, boolean allowPartial, boolean preferLocal, String region) {
        requireText(sku, "sku");
        requirePositive(quantity);
        int available = unreserved(sku, preferLocal ? region : null);
        if (available >= quantity) {
            reserved.merge(sku, quantity, Integer::sum);
            audit.add("RESERVE " + sku + " " + quantity + " for " + orderId);
            return true;
        }
        if (allowPartial && available > 0) {
            reserved.merge(sku, available, Integer::sum);
            audit.add("RESERVE-PARTIAL " + sku + " " + available + " of " + quantity + " for " + orderId);
            return true;
        }
        audit.add("RESERVE-FAILED " + sku + " " + quantity + " for " + orderId);
        return false;
    }

    private static String suggestion(String sku, int quantity, int leadDays) {
        if (leadDays > URGENT_LEAD_TIME_DAYS) {
            return sku + ": order " + quantity + " now (long lead time " + leadDays + "d)";
        }
        if (leadDays > DEFAULT_LEAD_TIME_DAYS) {
            return sku + ": order " + quantity + " this week";
        }
        return sku + ": order " + quantity;
    }

    public List<String> reorderSuggestions(Map<String, Integer> minimums, Map<String, Integer> leadTimeDays, int dailySales, boolean includeZero) {
        List<String> suggestions = new ArrayList<>();
        for (Map.Entry<String, Integer> min : minimums.entrySet()) {
            String sku = min.getKey();
            int available = unreserved(sku, null);
            boolean belowMinimum = available < min.getValue();
            if (!belowMinimum || (available == 0 && !includeZero)) {
                continue;
            }
            int lead = leadTimeDays.getOrDefault(sku, DEFAULT_LEAD_TIME_DAYS);
            int quantity = min.getValue() - available + lead * dailySales;
            if (quantity > 0) {
                suggestions.add(suggestion(sku, quantity, lead));
            }
        }
        return suggestions;
    }

    public int totalStock(String sku) {
        return onHand(sku, null);
    }

    public List<String> auditTrail() {
        return new ArrayList<>(audit);
    }
}

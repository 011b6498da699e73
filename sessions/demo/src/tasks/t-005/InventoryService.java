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

    private final Map<String, Map<String, Integer>> stock = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final List<String> audit = new ArrayList<>();

    public void receive(String warehouse, String sku, int quantity, String supplier, String reference) {
        if (warehouse == null || warehouse.isEmpty()) {
            throw new IllegalArgumentException("warehouse is required");
        }
        if (sku == null || sku.isEmpty()) {
            throw new IllegalArgumentException("sku is required");
        }
        if (quantity <= 0) {
            throw new IllegalArgumentException("quantity must be positive");
        }
        Map<String, Integer> levels = stock.get(warehouse);
        if (levels == null) {
            levels = new HashMap<>();
            stock.put(warehouse, levels);
        }
        Integer current = levels.get(sku);
        if (current == null) {
            current = 0;
        }
        levels.put(sku, current + quantity);
        audit.add("RECEIVE " + warehouse + " " + sku + " " + quantity + " from " + supplier + " ref " + reference);
    }

    public boolean reserve(String sku, int quantity, String orderId, boolean allowPartial, boolean preferLocal, String region) {
        if (sku == null || sku.isEmpty()) {
            throw new IllegalArgumentException("sku is required");
        }
        if (quantity <= 0) {
            throw new IllegalArgumentException("quantity must be positive");
        }
        int available = 0;
        for (Map.Entry<String, Map<String, Integer>> entry : stock.entrySet()) {
            if (preferLocal && region != null) {
                if (entry.getKey().startsWith(region)) {
                    Integer level = entry.getValue().get(sku);
                    if (level != null) {
                        available = available + level;
                    }
                }
            } else {
                Integer level = entry.getValue().get(sku);
                if (level != null) {
                    available = available + level;
                }
            }
        }
        Integer already = reserved.get(sku);
        if (already == null) {
            already = 0;
        }
        available = available - already;
        if (available >= quantity) {
            reserved.put(sku, already + quantity);
            audit.add("RESERVE " + sku + " " + quantity + " for " + orderId);
            return true;
        } else {
            if (allowPartial) {
                if (available > 0) {
                    reserved.put(sku, already + available);
                    audit.add("RESERVE-PARTIAL " + sku + " " + available + " of " + quantity + " for " + orderId);
                    return true;
                } else {
                    audit.add("RESERVE-FAILED " + sku + " " + quantity + " for " + orderId);
                    return false;
                }
            } else {
                audit.add("RESERVE-FAILED " + sku + " " + quantity + " for " + orderId);
                return false;
            }
        }
    }

    public List<String> reorderSuggestions(Map<String, Integer> minimums, Map<String, Integer> leadTimeDays, int dailySales, boolean includeZero) {
        List<String> suggestions = new ArrayList<>();
        for (Map.Entry<String, Integer> min : minimums.entrySet()) {
            String sku = min.getKey();
            int total = 0;
            for (Map<String, Integer> levels : stock.values()) {
                Integer level = levels.get(sku);
                if (level != null) {
                    total = total + level;
                }
            }
            Integer held = reserved.get(sku);
            if (held != null) {
                total = total - held;
            }
            if (total < min.getValue()) {
                if (total == 0 && !includeZero) {
                    continue;
                }
                int lead = 7;
                if (leadTimeDays.containsKey(sku)) {
                    lead = leadTimeDays.get(sku);
                }
                int quantity = min.getValue() - total + lead * dailySales;
                if (quantity > 0) {
                    if (lead > 14) {
                        suggestions.add(sku + ": order " + quantity + " now (long lead time " + lead + "d)");
                    } else if (lead > 7) {
                        suggestions.add(sku + ": order " + quantity + " this week");
                    } else {
                        suggestions.add(sku + ": order " + quantity);
                    }
                }
            }
        }
        return suggestions;
    }

    public int totalStock(String sku) {
        int total = 0;
        for (Map<String, Integer> levels : stock.values()) {
            Integer level = levels.get(sku);
            if (level != null) {
                total = total + level;
            }
        }
        return total;
    }

    public List<String> auditTrail() {
        return new ArrayList<>(audit);
    }
}

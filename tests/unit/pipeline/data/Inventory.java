package com.example.inventory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Stock levels per product, with reservations that expire. */
public class Inventory {

    public enum Unit { PIECE, KILOGRAM, LITRE }

    public record Product(String sku, String name, Unit unit) {
        public Product {
            if (sku == null || sku.isBlank()) {
                throw new IllegalArgumentException("sku must not be blank");
            }
        }
    }

    private static final class Reservation {
        final String sku;
        final int quantity;
        final long expiresAt;

        Reservation(String sku, int quantity, long expiresAt) {
            this.sku = sku;
            this.quantity = quantity;
            this.expiresAt = expiresAt;
        }
    }

    private final Map<String, Product> products = new HashMap<>();
    private final Map<String, Integer> stock = new HashMap<>();
    private final List<Reservation> reservations = new ArrayList<>();

    public void addProduct(Product product, int initialQuantity) {
        products.put(product.sku(), product);
        stock.merge(product.sku(), initialQuantity, Integer::sum);
    }

    public Optional<Product> find(String sku) {
        return Optional.ofNullable(products.get(sku));
    }

    public int available(String sku, long now) {
        int reserved = 0;
        for (Reservation reservation : reservations) {
            if (reservation.sku.equals(sku) && reservation.expiresAt > now) {
                reserved += reservation.quantity;
            }
        }
        return stock.getOrDefault(sku, 0) - reserved;
    }

    public boolean reserve(String sku, int quantity, long now, long ttlMillis) {
        if (quantity <= 0) {
            throw new IllegalArgumentException("quantity must be positive: " + quantity);
        }
        if (available(sku, now) < quantity) {
            return false;
        }
        reservations.add(new Reservation(sku, quantity, now + ttlMillis));
        return true;
    }

    public int purgeExpired(long now) {
        int before = reservations.size();
        reservations.removeIf(r -> r.expiresAt <= now);
        return before - reservations.size();
    }

    public void ship(String sku, int quantity) throws InsufficientStockException {
        int current = stock.getOrDefault(sku, 0);
        if (current < quantity) {
            throw new InsufficientStockException(sku, quantity, current);
        }
        stock.put(sku, current - quantity);
    }

    public List<String> lowStock(int threshold) {
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : stock.entrySet()) {
            if (entry.getValue() < threshold) {
                result.add(entry.getKey());
            }
        }
        Collections.sort(result);
        return result;
    }

    public static class InsufficientStockException extends Exception {
        private final String sku;

        public InsufficientStockException(String sku, int wanted, int available) {
            super("cannot ship " + wanted + " of " + sku + ": only " + available + " in stock");
            this.sku = sku;
        }

        public String getSku() {
            return sku;
        }
    }
}

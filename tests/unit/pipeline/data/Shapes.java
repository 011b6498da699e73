package com.example.geometry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/** Shapes with an abstract base, an interface with default methods, generic helpers and an enum. */
public final class Shapes {

    private Shapes() {
    }

    public interface Measurable {
        double area();

        double perimeter();

        default boolean isLargerThan(Measurable other) {
            return area() > other.area();
        }

        static Comparator<Measurable> byArea() {
            return Comparator.comparingDouble(Measurable::area);
        }
    }

    public enum Unit {
        MILLIMETRE(0.001), CENTIMETRE(0.01), METRE(1.0);

        private final double metres;

        Unit(double metres) {
            this.metres = metres;
        }

        public double toMetres(double value) {
            return value * metres;
        }
    }

    public abstract static class Shape implements Measurable {
        private final String name;
        protected final Unit unit;

        protected Shape(String name, Unit unit) {
            this.name = Objects.requireNonNull(name);
            this.unit = unit;
        }

        public String name() {
            return name;
        }

        public abstract Shape scaled(double factor);

        @Override
        public String toString() {
            return String.format("%s(area=%.2f %s^2)", name, area(), unit.name().toLowerCase());
        }
    }

    public static final class Circle extends Shape {
        private final double radius;

        public Circle(double radius, Unit unit) {
            super("circle", unit);
            if (radius < 0) {
                throw new IllegalArgumentException("negative radius: " + radius);
            }
            this.radius = radius;
        }

        @Override
        public double area() {
            return Math.PI * radius * radius;
        }

        @Override
        public double perimeter() {
            return 2 * Math.PI * radius;
        }

        @Override
        public Shape scaled(double factor) {
            return new Circle(radius * factor, unit);
        }
    }

    public static final class Rectangle extends Shape {
        private final double width;
        private final double height;

        public Rectangle(double width, double height, Unit unit) {
            super("rectangle", unit);
            this.width = width;
            this.height = height;
        }

        @Override
        public double area() {
            return width * height;
        }

        @Override
        public double perimeter() {
            return 2 * (width + height);
        }

        @Override
        public Shape scaled(double factor) {
            return new Rectangle(width * factor, height * factor, unit);
        }

        public boolean isSquare() {
            return Double.compare(width, height) == 0;
        }
    }

    public static <T extends Measurable> List<T> largerThan(List<T> shapes, double minimumArea) {
        return select(shapes, shape -> shape.area() > minimumArea);
    }

    public static <T> List<T> select(List<? extends T> items, Predicate<? super T> keep) {
        List<T> kept = new ArrayList<>();
        for (T item : items) {
            if (keep.test(item)) {
                kept.add(item);
            }
        }
        return kept;
    }

    @SafeVarargs
    public static double totalArea(Measurable... shapes) {
        double total = 0;
        for (Measurable shape : shapes) {
            total += shape.area();
        }
        return total;
    }
}

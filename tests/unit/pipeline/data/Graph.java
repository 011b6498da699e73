package com.example.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** A directed weighted graph with breadth-first search, Dijkstra and topological sort. */
public class Graph<V> {

    private static final class Edge<V> {
        private final V target;
        private final double weight;

        private Edge(V target, double weight) {
            this.target = target;
            this.weight = weight;
        }
    }

    private final Map<V, List<Edge<V>>> adjacency = new HashMap<>();

    public void addVertex(V vertex) {
        adjacency.putIfAbsent(vertex, new ArrayList<>());
    }

    public void addEdge(V from, V to, double weight) {
        addVertex(from);
        addVertex(to);
        adjacency.get(from).add(new Edge<>(to, weight));
    }

    public int size() {
        return adjacency.size();
    }

    public List<V> breadthFirst(V start) {
        List<V> order = new ArrayList<>();
        Set<V> seen = new HashSet<>();
        Deque<V> queue = new ArrayDeque<>();
        queue.add(start);
        seen.add(start);
        while (!queue.isEmpty()) {
            V vertex = queue.poll();
            order.add(vertex);
            for (Edge<V> edge : adjacency.getOrDefault(vertex, List.of())) {
                if (seen.add(edge.target)) {
                    queue.add(edge.target);
                }
            }
        }
        return order;
    }

    public Map<V, Double> shortestDistances(V source) {
        Map<V, Double> distance = new HashMap<>();
        PriorityQueue<Map.Entry<V, Double>> frontier =
                new PriorityQueue<>(Comparator.comparingDouble(Map.Entry::getValue));
        distance.put(source, 0.0);
        frontier.add(Map.entry(source, 0.0));
        while (!frontier.isEmpty()) {
            Map.Entry<V, Double> current = frontier.poll();
            if (current.getValue() > distance.getOrDefault(current.getKey(), Double.MAX_VALUE)) {
                continue;
            }
            for (Edge<V> edge : adjacency.getOrDefault(current.getKey(), List.of())) {
                double candidate = current.getValue() + edge.weight;
                if (candidate < distance.getOrDefault(edge.target, Double.MAX_VALUE)) {
                    distance.put(edge.target, candidate);
                    frontier.add(Map.entry(edge.target, candidate));
                }
            }
        }
        return distance;
    }

    public List<V> topologicalOrder() throws CycleException {
        Map<V, Integer> indegree = new HashMap<>();
        for (V vertex : adjacency.keySet()) {
            indegree.putIfAbsent(vertex, 0);
            for (Edge<V> edge : adjacency.get(vertex)) {
                indegree.merge(edge.target, 1, Integer::sum);
            }
        }
        Deque<V> ready = new ArrayDeque<>();
        indegree.forEach((vertex, degree) -> {
            if (degree == 0) {
                ready.add(vertex);
            }
        });
        List<V> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            V vertex = ready.poll();
            order.add(vertex);
            for (Edge<V> edge : adjacency.get(vertex)) {
                if (indegree.merge(edge.target, -1, Integer::sum) == 0) {
                    ready.add(edge.target);
                }
            }
        }
        if (order.size() != adjacency.size()) {
            throw new CycleException(adjacency.size() - order.size());
        }
        return order;
    }

    public static class CycleException extends Exception {
        public CycleException(int stuck) {
            super(stuck + " vertices are on a cycle");
        }
    }
}

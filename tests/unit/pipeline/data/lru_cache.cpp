// A least-recently-used cache with a hash map into a doubly linked list.
#include <cstddef>
#include <iostream>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace cache {

template <typename Key, typename Value>
class LruCache {
public:
    explicit LruCache(std::size_t capacity) : capacity_(capacity) {}

    std::optional<Value> get(const Key& key) {
        auto found = index_.find(key);
        if (found == index_.end()) {
            ++misses_;
            return std::nullopt;
        }
        order_.splice(order_.begin(), order_, found->second);
        ++hits_;
        return found->second->second;
    }

    void put(const Key& key, Value value) {
        auto found = index_.find(key);
        if (found != index_.end()) {
            found->second->second = std::move(value);
            order_.splice(order_.begin(), order_, found->second);
            return;
        }
        if (order_.size() == capacity_) {
            evict();
        }
        order_.emplace_front(key, std::move(value));
        index_[key] = order_.begin();
    }

    bool erase(const Key& key) {
        auto found = index_.find(key);
        if (found == index_.end()) {
            return false;
        }
        order_.erase(found->second);
        index_.erase(found);
        return true;
    }

    std::size_t size() const { return order_.size(); }
    double hit_rate() const;

private:
    void evict() {
        const auto& last = order_.back();
        index_.erase(last.first);
        order_.pop_back();
    }

    std::size_t capacity_;
    std::size_t hits_ = 0;
    std::size_t misses_ = 0;
    std::list<std::pair<Key, Value>> order_;
    std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator> index_;
};

template <typename Key, typename Value>
double LruCache<Key, Value>::hit_rate() const {
    const std::size_t total = hits_ + misses_;
    return total == 0 ? 0.0 : static_cast<double>(hits_) / static_cast<double>(total);
}

struct Report {
    std::size_t size;
    double hit_rate;
};

template <typename Key, typename Value>
Report summarise(const LruCache<Key, Value>& cache) {
    return Report{cache.size(), cache.hit_rate()};
}

}  // namespace cache

static std::string describe(const cache::Report& report) {
    return "size=" + std::to_string(report.size) + " hit_rate=" + std::to_string(report.hit_rate);
}

int main() {
    cache::LruCache<std::string, int> lru(2);
    lru.put("one", 1);
    lru.put("two", 2);
    lru.get("one");
    lru.put("three", 3);
    if (!lru.get("two")) {
        std::cout << "two was evicted\n";
    }
    lru.erase("three");
    std::cout << describe(cache::summarise(lru)) << '\n';
    return 0;
}

// Fixed-size vectors and matrices with templates, operators, friends and a small expression API.
#include <array>
#include <cmath>
#include <cstddef>
#include <iostream>
#include <stdexcept>

namespace linalg::detail {

template <typename T>
constexpr T square(T value) {
    return value * value;
}

}  // namespace linalg::detail

namespace linalg {

template <typename T, std::size_t N>
class Vector {
public:
    Vector() : values_{} {}
    explicit Vector(const std::array<T, N>& values) : values_(values) {}

    T& operator[](std::size_t i) { return values_.at(i); }
    const T& operator[](std::size_t i) const { return values_.at(i); }

    Vector& operator+=(const Vector& other) {
        for (std::size_t i = 0; i < N; ++i) {
            values_[i] += other.values_[i];
        }
        return *this;
    }

    friend Vector operator+(Vector left, const Vector& right) {
        left += right;
        return left;
    }

    friend T dot(const Vector& a, const Vector& b) {
        T total{};
        for (std::size_t i = 0; i < N; ++i) {
            total += a.values_[i] * b.values_[i];
        }
        return total;
    }

    T norm() const;

private:
    std::array<T, N> values_;
};

template <typename T, std::size_t N>
T Vector<T, N>::norm() const {
    T total{};
    for (const T& value : values_) {
        total += detail::square(value);
    }
    return std::sqrt(total);
}

template <typename T, std::size_t R, std::size_t C>
class Matrix {
public:
    Matrix() : cells_{} {}

    T& at(std::size_t row, std::size_t column) { return cells_.at(row * C + column); }
    const T& at(std::size_t row, std::size_t column) const { return cells_.at(row * C + column); }

    Vector<T, R> operator*(const Vector<T, C>& vector) const {
        Vector<T, R> result;
        for (std::size_t r = 0; r < R; ++r) {
            for (std::size_t c = 0; c < C; ++c) {
                result[r] += at(r, c) * vector[c];
            }
        }
        return result;
    }

    Matrix<T, C, R> transposed() const {
        Matrix<T, C, R> result;
        for (std::size_t r = 0; r < R; ++r) {
            for (std::size_t c = 0; c < C; ++c) {
                result.at(c, r) = at(r, c);
            }
        }
        return result;
    }

    static Matrix identity() {
        static_assert(R == C, "identity needs a square matrix");
        Matrix result;
        for (std::size_t i = 0; i < R; ++i) {
            result.at(i, i) = T{1};
        }
        return result;
    }

private:
    std::array<T, R * C> cells_;
};

template <typename T, std::size_t N>
std::ostream& operator<<(std::ostream& out, const Vector<T, N>& vector) {
    out << '[';
    for (std::size_t i = 0; i < N; ++i) {
        out << (i ? ", " : "") << vector[i];
    }
    return out << ']';
}

}  // namespace linalg

int main() {
    using linalg::Matrix;
    using linalg::Vector;
    Vector<double, 3> v({1.0, 2.0, 2.0});
    auto m = Matrix<double, 3, 3>::identity();
    m.at(0, 2) = 0.5;
    const auto w = m * v + v;
    std::cout << w << " norm " << v.norm() << " dot " << dot(v, w) << '\n';
    auto scale = [](double factor, Vector<double, 3> x) {
        for (std::size_t i = 0; i < 3; ++i) {
            x[i] *= factor;
        }
        return x;
    };
    std::cout << scale(2.0, v) << '\n';
    return 0;
}

// A small scene of shapes with virtual dispatch, operators and a registry.
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace geometry {

struct Point {
    double x;
    double y;

    Point operator+(const Point& other) const { return {x + other.x, y + other.y}; }
    bool operator==(const Point& other) const { return x == other.x && y == other.y; }
};

std::ostream& operator<<(std::ostream& out, const Point& p) {
    return out << '(' << p.x << ", " << p.y << ')';
}

class Shape {
public:
    explicit Shape(std::string name) : name_(std::move(name)) {}
    virtual ~Shape() = default;

    virtual double area() const = 0;
    virtual double perimeter() const = 0;
    virtual void translate(const Point& by) = 0;

    const std::string& name() const { return name_; }
    std::string summary() const;

private:
    std::string name_;
};

std::string Shape::summary() const {
    std::ostringstream out;
    out << name_ << ": area " << area() << ", perimeter " << perimeter();
    return out.str();
}

class Circle : public Shape {
public:
    Circle(Point centre, double radius) : Shape("circle"), centre_(centre), radius_(radius) {}

    double area() const override { return M_PI * radius_ * radius_; }
    double perimeter() const override { return 2 * M_PI * radius_; }
    void translate(const Point& by) override { centre_ = centre_ + by; }

private:
    Point centre_;
    double radius_;
};

class Rectangle : public Shape {
public:
    Rectangle(Point corner, double width, double height);

    double area() const override { return width_ * height_; }
    double perimeter() const override { return 2 * (width_ + height_); }
    void translate(const Point& by) override;
    bool is_square(double tolerance = 1e-9) const;

private:
    Point corner_;
    double width_;
    double height_;
};

Rectangle::Rectangle(Point corner, double width, double height)
    : Shape("rectangle"), corner_(corner), width_(width), height_(height) {}

void Rectangle::translate(const Point& by) {
    corner_ = corner_ + by;
}

bool Rectangle::is_square(double tolerance) const {
    return std::fabs(width_ - height_) < tolerance;
}

class Registry {
public:
    void add(std::unique_ptr<Shape> shape) { shapes_.push_back(std::move(shape)); }
    double total_area() const;
    std::map<std::string, int> count_by_name() const;

private:
    std::vector<std::unique_ptr<Shape>> shapes_;
};

double Registry::total_area() const {
    double total = 0;
    for (const auto& shape : shapes_) {
        total += shape->area();
    }
    return total;
}

std::map<std::string, int> Registry::count_by_name() const {
    std::map<std::string, int> counts;
    for (const auto& shape : shapes_) {
        ++counts[shape->name()];
    }
    return counts;
}

}  // namespace geometry

int main() {
    using namespace geometry;
    Registry registry;
    registry.add(std::make_unique<Circle>(Point{0, 0}, 1.5));
    registry.add(std::make_unique<Rectangle>(Point{1, 1}, 2, 2));
    registry.add(std::make_unique<Rectangle>(Point{-1, 0}, 3, 1));
    std::cout << "total area " << registry.total_area() << '\n';
    for (const auto& [name, count] : registry.count_by_name()) {
        std::cout << name << ' ' << count << '\n';
    }
    std::cout << (Point{1, 2} + Point{3, 4}) << '\n';
    return 0;
}

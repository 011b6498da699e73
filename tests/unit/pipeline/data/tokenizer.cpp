// A tokenizer for arithmetic expressions and a recursive-descent evaluator.
#include <cctype>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace calc {

enum class TokenKind { Number, Plus, Minus, Star, Slash, LParen, RParen, End };

struct Token {
    TokenKind kind;
    double value;
    std::size_t position;
};

class ParseError : public std::runtime_error {
public:
    ParseError(const std::string& message, std::size_t position)
        : std::runtime_error(message + " at " + std::to_string(position)), position_(position) {}
    std::size_t position() const noexcept { return position_; }

private:
    std::size_t position_;
};

std::vector<Token> tokenize(const std::string& text) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
            std::size_t used = 0;
            const double value = std::stod(text.substr(i), &used);
            tokens.push_back({TokenKind::Number, value, i});
            i += used;
            continue;
        }
        TokenKind kind;
        switch (c) {
            case '+': kind = TokenKind::Plus; break;
            case '-': kind = TokenKind::Minus; break;
            case '*': kind = TokenKind::Star; break;
            case '/': kind = TokenKind::Slash; break;
            case '(': kind = TokenKind::LParen; break;
            case ')': kind = TokenKind::RParen; break;
            default: throw ParseError(std::string("unexpected '") + c + "'", i);
        }
        tokens.push_back({kind, 0.0, i});
        ++i;
    }
    tokens.push_back({TokenKind::End, 0.0, text.size()});
    return tokens;
}

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    double parse() {
        const double value = expression();
        expect(TokenKind::End, "end of input");
        return value;
    }

private:
    double expression() {
        double value = term();
        while (peek().kind == TokenKind::Plus || peek().kind == TokenKind::Minus) {
            const bool plus = next().kind == TokenKind::Plus;
            const double right = term();
            value = plus ? value + right : value - right;
        }
        return value;
    }

    double term() {
        double value = factor();
        while (peek().kind == TokenKind::Star || peek().kind == TokenKind::Slash) {
            const bool times = next().kind == TokenKind::Star;
            const double right = factor();
            if (!times && right == 0.0) {
                throw ParseError("division by zero", peek().position);
            }
            value = times ? value * right : value / right;
        }
        return value;
    }

    double factor() {
        const Token& token = next();
        switch (token.kind) {
            case TokenKind::Number: return token.value;
            case TokenKind::Minus: return -factor();
            case TokenKind::LParen: {
                const double value = expression();
                expect(TokenKind::RParen, "')'");
                return value;
            }
            default: throw ParseError("expected a number", token.position);
        }
    }

    const Token& peek() const { return tokens_[index_]; }
    const Token& next() { return tokens_[index_++]; }

    void expect(TokenKind kind, const char* what) {
        if (peek().kind != kind) {
            throw ParseError(std::string("expected ") + what, peek().position);
        }
        ++index_;
    }

    std::vector<Token> tokens_;
    std::size_t index_ = 0;
};

double evaluate(const std::string& text) {
    return Parser(tokenize(text)).parse();
}

}  // namespace calc

int main(int argc, char* argv[]) {
    const std::string input = argc > 1 ? argv[1] : "2 * (3 + 4) - 10 / 4";
    try {
        std::cout << calc::evaluate(input) << '\n';
    } catch (const calc::ParseError& error) {
        std::cerr << error.what() << '\n';
        return 1;
    }
    return 0;
}

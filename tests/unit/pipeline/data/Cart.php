<?php

declare(strict_types=1);

namespace App\Shop;

use InvalidArgumentException;
use JsonSerializable;

interface PriceRule
{
    public function apply(Cart $cart, float $subtotal): float;
}

final class PercentOff implements PriceRule
{
    public function __construct(private float $percent, private float $minimum = 0.0)
    {
        if ($percent < 0 || $percent > 100) {
            throw new InvalidArgumentException("percent out of range: $percent");
        }
    }

    public function apply(Cart $cart, float $subtotal): float
    {
        if ($subtotal < $this->minimum) {
            return $subtotal;
        }
        return $subtotal * (1 - $this->percent / 100);
    }
}

class Cart implements JsonSerializable
{
    /** @var array<string, array{price: float, quantity: int}> */
    private array $items = [];

    /** @var PriceRule[] */
    private array $rules = [];

    public function add(string $sku, float $price, int $quantity = 1): self
    {
        if ($quantity < 1) {
            throw new InvalidArgumentException('quantity must be positive');
        }
        if (isset($this->items[$sku])) {
            $this->items[$sku]['quantity'] += $quantity;
        } else {
            $this->items[$sku] = ['price' => $price, 'quantity' => $quantity];
        }
        return $this;
    }

    public function remove(string $sku): bool
    {
        if (!array_key_exists($sku, $this->items)) {
            return false;
        }
        unset($this->items[$sku]);
        return true;
    }

    public function addRule(PriceRule ...$rules): void
    {
        foreach ($rules as $rule) {
            $this->rules[] = $rule;
        }
    }

    public function count(): int
    {
        return array_sum(array_column($this->items, 'quantity'));
    }

    public function subtotal(): float
    {
        $sum = 0.0;
        foreach ($this->items as $item) {
            $sum += $item['price'] * $item['quantity'];
        }
        return $sum;
    }

    public function total(): float
    {
        $total = $this->subtotal();
        foreach ($this->rules as $rule) {
            $total = $rule->apply($this, $total);
        }
        return round($total, 2);
    }

    public function jsonSerialize(): array
    {
        return ['items' => $this->items, 'total' => $this->total()];
    }
}

function format_money(float $amount, string $currency = 'EUR'): string
{
    return sprintf('%s %.2f', $currency, $amount);
}

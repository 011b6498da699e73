<?php

declare(strict_types=1);

namespace App\Notifications;

enum Channel: string
{
    case Email = 'email';
    case Sms = 'sms';
    case Push = 'push';

    public function maxLength(): int
    {
        return match ($this) {
            Channel::Sms => 160,
            Channel::Push => 240,
            Channel::Email => 10000,
        };
    }
}

interface Transport
{
    public function send(string $recipient, string $body): bool;
}

trait Retries
{
    private int $attempts = 3;

    protected function withRetries(callable $operation): bool
    {
        for ($attempt = 1; $attempt <= $this->attempts; $attempt++) {
            if ($operation($attempt)) {
                return true;
            }
        }
        return false;
    }
}

abstract class Notifier
{
    use Retries;

    /** @var list<array{string, string}> */
    protected array $sent = [];

    public function __construct(protected Transport $transport, protected Channel $channel)
    {
    }

    abstract protected function render(array $event): string;

    public function notify(string $recipient, array $event): bool
    {
        $body = $this->truncate($this->render($event));
        $ok = $this->withRetries(fn (int $attempt) => $this->transport->send($recipient, $body));
        if ($ok) {
            $this->sent[] = [$recipient, $body];
        }
        return $ok;
    }

    protected function truncate(string $text): string
    {
        $limit = $this->channel->maxLength();
        return mb_strlen($text) <= $limit ? $text : mb_substr($text, 0, $limit - 1) . '…';
    }

    public function sentCount(): int
    {
        return count($this->sent);
    }

    public static function forChannel(Channel $channel, Transport $transport): static
    {
        return new static($transport, $channel);
    }
}

final class OrderShippedNotifier extends Notifier
{
    protected function render(array $event): string
    {
        $items = implode(', ', array_map(static fn (array $item): string => $item['name'], $event['items'] ?? []));
        return sprintf('Order %s has shipped: %s', $event['order'] ?? '?', $items);
    }
}

final class MemoryTransport implements Transport
{
    public array $outbox = [];

    public function send(string $recipient, string $body): bool
    {
        $this->outbox[] = compact('recipient', 'body');
        return true;
    }
}

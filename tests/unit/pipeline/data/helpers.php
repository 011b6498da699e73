<?php
/**
 * String and array helpers used by the templates.
 */

const DEFAULT_SEPARATOR = '-';

function slugify(string $text, string $separator = DEFAULT_SEPARATOR): string
{
    $text = strtolower(trim($text));
    $text = preg_replace('/[^a-z0-9]+/', $separator, $text);
    return trim($text, $separator);
}

function truncate_words(string $text, int $limit, string $ellipsis = '...'): string
{
    $words = preg_split('/\s+/', trim($text));
    if (count($words) <= $limit) {
        return implode(' ', $words);
    }
    return implode(' ', array_slice($words, 0, $limit)) . $ellipsis;
}

function array_pluck(array $rows, string $key, ?string $indexBy = null): array
{
    $result = [];
    foreach ($rows as $row) {
        if (!array_key_exists($key, $row)) {
            continue;
        }
        if ($indexBy !== null && isset($row[$indexBy])) {
            $result[$row[$indexBy]] = $row[$key];
        } else {
            $result[] = $row[$key];
        }
    }
    return $result;
}

function group_by(array $rows, callable $keyOf): array
{
    $groups = [];
    foreach ($rows as $row) {
        $groups[$keyOf($row)][] = $row;
    }
    ksort($groups);
    return $groups;
}

function &find_first(array &$rows, callable $predicate)
{
    $missing = null;
    foreach ($rows as &$row) {
        if ($predicate($row)) {
            return $row;
        }
    }
    return $missing;
}

function human_bytes(int $bytes, int $precision = 1): string
{
    $units = ['B', 'KB', 'MB', 'GB', 'TB'];
    $power = $bytes > 0 ? (int) floor(log($bytes, 1024)) : 0;
    $power = min($power, count($units) - 1);
    return round($bytes / (1024 ** $power), $precision) . ' ' . $units[$power];
}

function render_table(array $rows): string
{
    if ($rows === []) {
        return '';
    }
    $headers = array_keys(reset($rows));
    $lines = ['| ' . implode(' | ', $headers) . ' |'];
    foreach ($rows as $row) {
        $cells = array_map(fn ($header) => (string) ($row[$header] ?? ''), $headers);
        $lines[] = '| ' . implode(' | ', $cells) . ' |';
    }
    return implode("\n", $lines);
}

class Stopwatch
{
    private float $started;

    public function __construct()
    {
        $this->started = microtime(true);
    }

    public function elapsed(): float
    {
        return microtime(true) - $this->started;
    }
}

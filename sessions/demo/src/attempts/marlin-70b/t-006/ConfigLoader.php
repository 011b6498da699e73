<?php

namespace App\Config;

/**
 * Loads the application's settings from an INI file, the environment and defaults.
 * Older than the framework; the admin panel and the cron scripts both use it.
 */
class ConfigLoader
{
    private const DEFAULTS = array(
        'db.host' => 'localhost',
        'db.port' => 3306,
        'db.name' => 'app',
        'cache.ttl' => 300,
        'cache.enabled' => true,
        'mail.from' => 'noreply@example.com',
        'debug' => false,
    );

    private const TRUE_WORDS = array('1', 'true', 'on', 'yes');

    private const ENV_PREFIX = 'APP_';

    private $values = array();
    private $errors = array();

    public function load($path, $environment, $overrides, $allowMissing, $strict)
    {
        $this->values = self::DEFAULTS;
        $this->applyFile($path, $environment, $allowMissing, $strict);
        $this->applyEnvironment($_ENV);
        if (is_array($overrides)) {
            $this->values = array_merge($this->values, $overrides);
        }
        $this->validate($environment);
        return count($this->errors) == 0;
    }

    private function applyFile($path, $environment, $allowMissing, $strict)
    {
        if (!file_exists($path)) {
            if (!$allowMissing) {
                $this->errors[] = "missing config file $path";
            }
            return;
        }
        $ini = parse_ini_file($path, true);
        if ($ini === false) {
            $this->errors[] = "cannot parse $path";
            return;
        }
        foreach (array('common', $environment) as $section) {
            if (isset($ini[$section]) && is_array($ini[$section])) {
                $this->applySection($ini[$section], $strict);
            }
        }
    }

    private function applySection(array $entries, $strict)
    {
        foreach ($entries as $key => $value) {
            if (isset($this->values[$key])) {
                $this->setTyped($key, $value);
            } elseif ($strict) {
                $this->errors[] = "unknown setting $key";
            } else {
                $this->values[$key] = $value;
            }
        }
    }

    private function applyEnvironment(array $environment)
    {
        foreach ($environment as $name => $value) {
            if (strpos($name, self::ENV_PREFIX) !== 0) {
                continue;
            }
            $key = strtolower(str_replace('_', '.', substr($name, strlen(self::ENV_PREFIX))));
            if (isset($this->values[$key])) {
                $this->setTyped($key, $value);
            }
        }
    }

    /** Stores a raw string value with the type of the setting's current value. */
    private function setTyped($key, $value)
    {
        $current = $this->values[$key];
        if (is_bool($current)) {
            $this->values[$key] = in_array($value, self::TRUE_WORDS, true);
        } elseif (!is_int($current)) {
            $this->values[$key] = (string) $value;
        } elseif (is_numeric($value)) {
            $this->values[$key] = (int) $value;
        } else {
            $this->errors[] = "$key must be a number";
        }
    }

    private function validate($environment)
    {
        $checks = array(
            'db.port out of range' => $this->values['db.port'] < 1 || $this->values['db.port'] > 65535,
            'cache.ttl must not be negative' => $this->values['cache.ttl'] < 0,
            'mail.from is not an address' => strpos($this->values['mail.from'], '@') === false,
            'debug must be off in production' => $environment == 'production' && $this->values['debug'],
        );
        foreach ($checks as $message => $failed) {
            if ($failed) {
                $this->errors[] = $message;
            }
        }
    }

    public function get($key, $default = null)
    {
        return isset($this->values[$key]) ? $this->values[$key] : $default;
    }

    public function section($prefix)
    {
        $result = array();
        $start = $prefix . '.';
        foreach ($this->values as $key => $value) {
            if (strpos($key, $start) === 0) {
                $result[substr($key, strlen($start))] = $value;
            }
        }
        return $result;
    }

    public function errors()
    {
        return $this->errors;
    }

    public function dsn()
    {
        return 'mysql:host=' . $this->values['db.host'] . ';port=' . $this->values['db.port'] . ';dbname=' . $this->values['db.name'];
    }
}

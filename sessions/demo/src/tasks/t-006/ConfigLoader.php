<?php

namespace App\Config;

/**
 * Loads the application's settings from an INI file, the environment and defaults.
 * Older than the framework; the admin panel and the cron scripts both use it.
 */
class ConfigLoader
{
    private $values = array();
    private $errors = array();

    public function load($path, $environment, $overrides, $allowMissing, $strict)
    {
        $this->values = array(
            'db.host' => 'localhost',
            'db.port' => 3306,
            'db.name' => 'app',
            'cache.ttl' => 300,
            'cache.enabled' => true,
            'mail.from' => 'noreply@example.com',
            'debug' => false,
        );
        if (file_exists($path)) {
            $ini = parse_ini_file($path, true);
            if ($ini !== false) {
                foreach ($ini as $section => $entries) {
                    if (is_array($entries)) {
                        if ($section == 'common' || $section == $environment) {
                            foreach ($entries as $key => $value) {
                                if (isset($this->values[$key])) {
                                    if (is_int($this->values[$key])) {
                                        if (is_numeric($value)) {
                                            $this->values[$key] = (int) $value;
                                        } else {
                                            $this->errors[] = "$key must be a number";
                                        }
                                    } elseif (is_bool($this->values[$key])) {
                                        $this->values[$key] = ($value === '1' || $value === 'true' || $value === 'on' || $value === 'yes');
                                    } else {
                                        $this->values[$key] = (string) $value;
                                    }
                                } else {
                                    if ($strict) {
                                        $this->errors[] = "unknown setting $key";
                                    } else {
                                        $this->values[$key] = $value;
                                    }
                                }
                            }
                        }
                    }
                }
            } else {
                $this->errors[] = "cannot parse $path";
            }
        } else {
            if (!$allowMissing) {
                $this->errors[] = "missing config file $path";
            }
        }
        foreach ($_ENV as $name => $value) {
            if (strpos($name, 'APP_') === 0) {
                $key = strtolower(str_replace('_', '.', substr($name, 4)));
                if (isset($this->values[$key])) {
                    if (is_int($this->values[$key])) {
                        if (is_numeric($value)) {
                            $this->values[$key] = (int) $value;
                        } else {
                            $this->errors[] = "$key must be a number";
                        }
                    } elseif (is_bool($this->values[$key])) {
                        $this->values[$key] = ($value === '1' || $value === 'true' || $value === 'on' || $value === 'yes');
                    } else {
                        $this->values[$key] = (string) $value;
                    }
                }
            }
        }
        if (is_array($overrides)) {
            foreach ($overrides as $key => $value) {
                $this->values[$key] = $value;
            }
        }
        if ($this->values['db.port'] < 1 || $this->values['db.port'] > 65535) {
            $this->errors[] = 'db.port out of range';
        }
        if ($this->values['cache.ttl'] < 0) {
            $this->errors[] = 'cache.ttl must not be negative';
        }
        if (strpos($this->values['mail.from'], '@') === false) {
            $this->errors[] = 'mail.from is not an address';
        }
        if ($environment == 'production' && $this->values['debug']) {
            $this->errors[] = 'debug must be off in production';
        }
        return count($this->errors) == 0;
    }

    public function get($key, $default = null)
    {
        if (isset($this->values[$key])) {
            return $this->values[$key];
        } else {
            return $default;
        }
    }

    public function section($prefix)
    {
        $result = array();
        foreach ($this->values as $key => $value) {
            if (strpos($key, $prefix . '.') === 0) {
                $result[substr($key, strlen($prefix) + 1)] = $value;
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

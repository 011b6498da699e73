<?php

namespace Framework\Http;

class Route
{
    public array $parameters = [];

    public function __construct(
        public readonly string $method,
        public readonly string $pattern,
        private $handler
    ) {
    }

    public function matches(string $method, string $path): bool
    {
        if (strcasecmp($method, $this->method) !== 0) {
            return false;
        }
        $regex = '#^' . preg_replace('#\{(\w+)\}#', '(?P<$1>[^/]+)', $this->pattern) . '$#';
        if (!preg_match($regex, $path, $matches)) {
            return false;
        }
        $this->parameters = array_filter($matches, 'is_string', ARRAY_FILTER_USE_KEY);
        return true;
    }

    public function run(array $request)
    {
        return call_user_func($this->handler, $request, $this->parameters);
    }
}

class Router
{
    private array $routes = [];
    private $notFound;

    public function __construct(?callable $notFound = null)
    {
        $this->notFound = $notFound ?? function (array $request) {
            return ['status' => 404, 'body' => 'not found: ' . ($request['path'] ?? '')];
        };
    }

    public function get(string $pattern, callable $handler): Route
    {
        return $this->add('GET', $pattern, $handler);
    }

    public function post(string $pattern, callable $handler): Route
    {
        return $this->add('POST', $pattern, $handler);
    }

    public function add(string $method, string $pattern, callable $handler): Route
    {
        $route = new Route(strtoupper($method), $pattern, $handler);
        $this->routes[] = $route;
        return $route;
    }

    public function dispatch(array $request): array
    {
        $method = $request['method'] ?? 'GET';
        $path = rtrim($request['path'] ?? '/', '/') ?: '/';
        foreach ($this->routes as $route) {
            if ($route->matches($method, $path)) {
                $result = $route->run($request);
                return is_array($result) ? $result : ['status' => 200, 'body' => (string) $result];
            }
        }
        return ($this->notFound)($request);
    }

    public static function fromArray(array $table): self
    {
        $router = new self();
        foreach ($table as [$method, $pattern, $handler]) {
            $router->add($method, $pattern, $handler);
        }
        return $router;
    }
}

$router = Router::fromArray([
    ['GET', '/hello/{name}', fn (array $request, array $params) => 'Hello ' . $params['name']],
]);
echo $router->dispatch(['method' => 'GET', 'path' => '/hello/world'])['body'], PHP_EOL;

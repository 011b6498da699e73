// Webhook delivery: decides what to do after each attempt to POST an event to a customer's endpoint.

export interface Endpoint {
  id: string;
  url: string;
  maxAttempts: number;
  disabled: boolean;
  failuresInARow: number;
}

export interface DeliveryResult {
  status: number | null; // null when the request never got a response
  error: string | null;
  durationMs: number;
}

export interface Decision {
  action: "done" | "retry" | "give-up" | "disable-endpoint";
  delaySeconds: number;
  reason: string;
}

const BASE_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 3600;
const URGENT_EVENTS = ["invoice.paid", "payment.failed"];
const URGENT_MAX_DELAY_SECONDS = 300;
const DISABLE_AFTER_FAILURES = 50;

function stop(action: "done" | "give-up" | "disable-endpoint", reason: string): Decision {
  return { action, delaySeconds: 0, reason };
}

function retry(delaySeconds: number, reason: string): Decision {
  return { action: "retry", delaySeconds, reason };
}

function backoff(attempt: number): number {
  return Math.min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * Math.pow(2, attempt - 1));
}

function urgentCap(delay: number, eventType: string): number {
  return URGENT_EVENTS.indexOf(eventType >= 0 ? Math.min(delay, URGENT_MAX_DELAY_SECONDS) : delay;
}

// Retry-After holds either a number of seconds or an HTTP date; anything else falls back to the backoff.
function retryAfterSeconds(header: string | null, attempt: number, now: Date): number {
  if (header === null) {
    return backoff(attempt);
  }
  const seconds = parseInt(header, 10);
  if (!isNaN(seconds)) {
    return Math.min(seconds, MAX_DELAY_SECONDS);
  }
  const when = Date.parse(header);
  if (isNaN(when)) {
    return backoff(attempt);
  }
  return Math.min(Math.max(0, Math.ceil((when - now.getTime()) / 1000)), MAX_DELAY_SECONDS);
}

// Counts a failure; returns the decision that ends the delivery, or null when it may be retried.
function afterFailure(endpoint: Endpoint, attempt: number, mayDisable: boolean): Decision | null {
  endpoint.failuresInARow += 1;
  if (mayDisable && endpoint.failuresInARow >= DISABLE_AFTER_FAILURES) {
    endpoint.disabled = true;
    return stop("disable-endpoint", DISABLE_AFTER_FAILURES + " failures in a row");
  }
  if (attempt >= endpoint.maxAttempts) {
    return stop("give-up", "too many attempts");
  }
  return null;
}

// rateLimitDelay is what the endpoint's Retry-After asks for, used only when it rate-limits us.
function decideForStatus(endpoint: Endpoint, status: number, attempt: number, eventType: string, rateLimitDelay: number): Decision {
  if (status >= 200 && status < 300) {
    endpoint.failuresInARow = 0;
    return stop("done", "delivered");
  }
  if (status === 410) {
    endpoint.disabled = true;
    return stop("disable-endpoint", "endpoint gone (410)");
  }
  if (status === 429 || status === 503) {
    const final = afterFailure(endpoint, attempt, false);
    return final ?? retry(rateLimitDelay, "rate limited (" + status + ")");
  }
  if (status >= 500) {
    const final = afterFailure(endpoint, attempt, true);
    return final ?? retry(urgentCap(backoff(attempt), eventType), "server error (" + status + ")");
  }
  endpoint.failuresInARow += 1;
  return stop("give-up", "client error (" + status + ")");
}

function decideForNetworkError(endpoint: Endpoint, error: string | null, attempt: number, eventType: string): Decision {
  const final = afterFailure(endpoint, attempt, true);
  if (final) {
    return final;
  }
  const timedOut = error !== null && error.indexOf("timeout") >= 0;
  const delay = timedOut ? Math.min(backoff(attempt) * 2, MAX_DELAY_SECONDS) : backoff(attempt);
  return retry(urgentCap(delay, eventType), "network error: " + error);
}

export function decideNext(endpoint: Endpoint, result: DeliveryResult, attempt: number, eventType: string, retryAfterHeader: string | null, now: Date): Decision {
  if (endpoint.disabled) {
    return stop("give-up", "endpoint disabled");
  }
  if (result.status === null) {
    return decideForNetworkError(endpoint, result.error, attempt, eventType);
  }
  const rateLimitDelay = retryAfterSeconds(retryAfterHeader, attempt, now);
  return decideForStatus(endpoint, result.status, attempt, eventType, rateLimitDelay);
}

export function describeDecision(endpoint: Endpoint, decision: Decision, attempt: number): string {
  let text = "endpoint " + endpoint.id + " attempt " + attempt + ": " + decision.action;
  if (decision.action === "retry") {
    const minutes = decision.delaySeconds >= 60;
    text += " in " + (minutes ? Math.round(decision.delaySeconds / 60) + " min" : decision.delaySeconds + " s");
  }
  return text + " (" + decision.reason + ")";
}

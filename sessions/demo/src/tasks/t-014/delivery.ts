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

export function decideNext(endpoint: Endpoint, result: DeliveryResult, attempt: number, eventType: string, retryAfterHeader: string | null, now: Date): Decision {
  if (endpoint.disabled) {
    return { action: "give-up", delaySeconds: 0, reason: "endpoint disabled" };
  }
  if (result.status !== null) {
    if (result.status >= 200 && result.status < 300) {
      endpoint.failuresInARow = 0;
      return { action: "done", delaySeconds: 0, reason: "delivered" };
    } else if (result.status === 410) {
      endpoint.disabled = true;
      return { action: "disable-endpoint", delaySeconds: 0, reason: "endpoint gone (410)" };
    } else if (result.status === 429 || result.status === 503) {
      endpoint.failuresInARow = endpoint.failuresInARow + 1;
      if (attempt >= endpoint.maxAttempts) {
        return { action: "give-up", delaySeconds: 0, reason: "too many attempts" };
      }
      let delay = 0;
      if (retryAfterHeader !== null) {
        const seconds = parseInt(retryAfterHeader, 10);
        if (!isNaN(seconds)) {
          delay = seconds;
        } else {
          const when = Date.parse(retryAfterHeader);
          if (!isNaN(when)) {
            delay = Math.max(0, Math.ceil((when - now.getTime()) / 1000));
          } else {
            delay = Math.min(3600, 30 * Math.pow(2, attempt - 1));
          }
        }
      } else {
        delay = Math.min(3600, 30 * Math.pow(2, attempt - 1));
      }
      if (delay > 3600) {
        delay = 3600;
      }
      return { action: "retry", delaySeconds: delay, reason: "rate limited (" + result.status + ")" };
    } else if (result.status >= 500) {
      endpoint.failuresInARow = endpoint.failuresInARow + 1;
      if (endpoint.failuresInARow >= 50) {
        endpoint.disabled = true;
        return { action: "disable-endpoint", delaySeconds: 0, reason: "50 failures in a row" };
      }
      if (attempt >= endpoint.maxAttempts) {
        return { action: "give-up", delaySeconds: 0, reason: "too many attempts" };
      }
      let delay = Math.min(3600, 30 * Math.pow(2, attempt - 1));
      if (eventType === "invoice.paid" || eventType === "payment.failed") {
        delay = Math.min(delay, 300);
      }
      return { action: "retry", delaySeconds: delay, reason: "server error (" + result.status + ")" };
    } else {
      endpoint.failuresInARow = endpoint.failuresInARow + 1;
      return { action: "give-up", delaySeconds: 0, reason: "client error (" + result.status + ")" };
    }
  } else {
    endpoint.failuresInARow = endpoint.failuresInARow + 1;
    if (endpoint.failuresInARow >= 50) {
      endpoint.disabled = true;
      return { action: "disable-endpoint", delaySeconds: 0, reason: "50 failures in a row" };
    }
    if (attempt >= endpoint.maxAttempts) {
      return { action: "give-up", delaySeconds: 0, reason: "too many attempts" };
    }
    let delay = Math.min(3600, 30 * Math.pow(2, attempt - 1));
    if (result.error !== null && result.error.indexOf("timeout") >= 0) {
      delay = delay * 2;
      if (delay > 3600) {
        delay = 3600;
      }
    }
    if (eventType === "invoice.paid" || eventType === "payment.failed") {
      delay = Math.min(delay, 300);
    }
    return { action: "retry", delaySeconds: delay, reason: "network error: " + result.error };
  }
}

export function describeDecision(endpoint: Endpoint, decision: Decision, attempt: number): string {
  let text = "endpoint " + endpoint.id + " attempt " + attempt + ": " + decision.action;
  if (decision.action === "retry") {
    if (decision.delaySeconds >= 60) {
      text = text + " in " + Math.round(decision.delaySeconds / 60) + " min";
    } else {
      text = text + " in " + decision.delaySeconds + " s";
    }
  }
  return text + " (" + decision.reason + ")";
}

"""Routes monitoring alerts to people: on-call rotation, quiet hours, escalation and de-duplication."""

import time

SEVERITIES = ["info", "warning", "critical", "page"]

_recent = {}


def _format_message(alert, severity, channel):
    text = "[" + severity.upper() + "] " + alert["name"]
    if alert.get("host"):
        text += " on " + alert["host"]
    if alert.get("summary"):
        text += ": " + alert["summary"]
    if channel == "sms" and len(text) > 160:
        text = text[:157] + "..."
    return text


def route_alert(alert, rotation, now, quiet_start, quiet_end, escalate_after, channels, dedupe_window, sender):
    if alert is None or "name" not in alert:
        return []
    severity = alert.get("severity", "info")
    if severity not in SEVERITIES:
        severity = "warning"
    key = alert["name"] + "|" + alert.get("host", "")
    if key in _recent and now - _recent[key] < dedupe_window and severity != "page":
        return []
    _recent[key] = now
    hour = time.gmtime(now).tm_hour
    if quiet_start < quiet_end:
        quiet = quiet_start <= hour < quiet_end
    else:
        quiet = hour >= quiet_start or hour < quiet_end
    targets = []
    person = rotation[0] if rotation else None
    if severity == "info":
        if not quiet:
            if "chat" in channels:
                targets.append(("chat", channels["chat"]))
    elif severity == "warning":
        if "chat" in channels:
            targets.append(("chat", channels["chat"]))
        if not quiet:
            if "email" in channels and person:
                targets.append(("email", person["email"]))
    elif severity == "critical":
        if "chat" in channels:
            targets.append(("chat", channels["chat"]))
        if person:
            if "email" in channels:
                targets.append(("email", person["email"]))
            if not quiet:
                if person.get("phone") and "sms" in channels:
                    targets.append(("sms", person["phone"]))
    else:
        if person:
            if person.get("phone") and "sms" in channels:
                targets.append(("sms", person["phone"]))
            if "email" in channels:
                targets.append(("email", person["email"]))
        if "chat" in channels:
            targets.append(("chat", channels["chat"]))
        started = alert.get("started_at", now)
        if now - started > escalate_after:
            if len(rotation) > 1:
                backup = rotation[1]
                if backup.get("phone") and "sms" in channels:
                    targets.append(("sms", backup["phone"]))
                if "email" in channels:
                    targets.append(("email", backup["email"]))
    sent = []
    for channel, address in targets:
        text = _format_message(alert, severity, channel)
        try:
            sender(channel, address, text)
            sent.append((channel, address))
        except Exception as exc:
            print("failed to send to " + channel + " " + str(address) + ": " + str(exc))
    return sent

def forget_old(now, max_age):
    for key in list(_recent.keys()):
        if now - _recent[key] > max_age:
            del _recent[key]


def summarize(sent_log):
    counts = {}
    for entry in sent_log:
        counts[entry[0]] = counts.get(entry[0], 0) + 1
    return "\n".join(channel + ": " + str(counts[channel]) for channel in sorted(counts))

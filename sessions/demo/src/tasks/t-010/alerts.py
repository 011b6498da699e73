"""Routes monitoring alerts to people: on-call rotation, quiet hours, escalation and de-duplication."""

import time

SEVERITIES = ["info", "warning", "critical", "page"]

_recent = {}


def route_alert(alert, rotation, now, quiet_start, quiet_end, escalate_after, channels, dedupe_window, sender):
    if alert is None or "name" not in alert:
        return []
    severity = alert.get("severity", "info")
    if severity not in SEVERITIES:
        severity = "warning"
    key = alert["name"] + "|" + alert.get("host", "")
    if key in _recent:
        if now - _recent[key] < dedupe_window:
            if severity != "page":
                return []
    _recent[key] = now
    hour = time.gmtime(now).tm_hour
    quiet = False
    if quiet_start < quiet_end:
        if hour >= quiet_start and hour < quiet_end:
            quiet = True
    else:
        if hour >= quiet_start or hour < quiet_end:
            quiet = True
    targets = []
    if severity == "info":
        if not quiet:
            if "chat" in channels:
                targets.append(("chat", channels["chat"]))
    elif severity == "warning":
        if "chat" in channels:
            targets.append(("chat", channels["chat"]))
        if not quiet:
            if "email" in channels:
                person = rotation[0] if rotation else None
                if person:
                    targets.append(("email", person["email"]))
    elif severity == "critical":
        if "chat" in channels:
            targets.append(("chat", channels["chat"]))
        person = rotation[0] if rotation else None
        if person:
            if "email" in channels:
                targets.append(("email", person["email"]))
            if not quiet:
                if person.get("phone") and "sms" in channels:
                    targets.append(("sms", person["phone"]))
    else:
        person = rotation[0] if rotation else None
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
        text = "[" + severity.upper() + "] " + alert["name"]
        if alert.get("host"):
            text = text + " on " + alert["host"]
        if alert.get("summary"):
            text = text + ": " + alert["summary"]
        if channel == "sms":
            if len(text) > 160:
                text = text[:157] + "..."
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
        channel = entry[0]
        if channel in counts:
            counts[channel] = counts[channel] + 1
        else:
            counts[channel] = 1
    lines = []
    for channel in sorted(counts):
        lines.append(channel + ": " + str(counts[channel]))
    return "\n".join(lines)

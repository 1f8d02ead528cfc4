#!/usr/bin/python3
"""Render Home Assistant MQTT value templates with Jinja2, as Home Assistant does.

Usage: ha_template.py JSON where JSON is a list of {"template": str, "value": str}; prints a JSON
list of rendered strings. Each template sees `value` (the payload) and `value_json` (the payload
parsed as JSON, when it is JSON), like Home Assistant's MQTT value templates. Runs in Jinja2's
sandbox; needs Debian's python3-jinja2, under /usr/bin/python3.
"""
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment


def main():
    env = ImmutableSandboxedEnvironment()
    out = []
    for item in json.loads(sys.argv[1]):
        value = item["value"]
        try:
            value_json = json.loads(value)
        except ValueError:
            value_json = None
        out.append(env.from_string(item["template"]).render(value=value, value_json=value_json).strip())
    print(json.dumps(out))


if __name__ == "__main__":
    main()

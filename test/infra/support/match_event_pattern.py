"""Evaluates an EventBridge pattern against events with moto's matcher (faithful to AWS for
top-level and nested fields). stdin: {"pattern": {...}, "events": [...]}; stdout: [true|false, ...]."""
import json
import sys

from moto.events.models import EventPattern

request = json.load(sys.stdin)
pattern = EventPattern.load(json.dumps(request["pattern"]))
json.dump([pattern.matches_event(event) for event in request["events"]], sys.stdout)

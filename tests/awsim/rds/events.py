"""DescribeEvents: the events the other subjects record with Base._event."""

from state import AwsError, now

from .base import _page


class EventsMixin:
    """DescribeEvents."""

    def DescribeEvents(self, p, ctx):
        if p.get("SourceIdentifier") and not p.get("SourceType"):
            raise AwsError("InvalidParameterCombination", "SourceType must be specified with SourceIdentifier")
        end = p.get("EndTime") or now()
        start = p.get("StartTime")
        if start is None:
            import datetime
            start = end - datetime.timedelta(minutes=p.get("Duration", 60))
        with self.state.lock:
            events = [e for e in self.state.events if start <= e["Date"] <= end]
        if p.get("SourceType"):
            events = [e for e in events if e["SourceType"] == p["SourceType"]]
        if p.get("SourceIdentifier"):
            events = [e for e in events if e["SourceIdentifier"] == p["SourceIdentifier"].lower()]
        if p.get("EventCategories"):
            want = set(p["EventCategories"])
            events = [e for e in events if want & set(e["EventCategories"])]
        keyed = [(f"{i:012d}", e) for i, e in enumerate(events)]
        return _page("Events", keyed, lambda ke: ke[0], p, lambda ke: ke[1])

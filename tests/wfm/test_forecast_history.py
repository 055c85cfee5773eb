"""Loading history: interval files, contact records, and the errors for bad history."""

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.config import build_config
from wfm.errors import InvalidInput
from wfm.forecast import load_history

SITE = build_config({})


def _interval_csv(path: Path, days: int = 14, minutes: int = 30, queue: str | None = None,
                  start: date = date(2026, 3, 2)) -> Path:
    stamps = pd.date_range(pd.Timestamp(start), periods=days * 1440 // minutes,
                           freq=f"{minutes}min")
    frame = pd.DataFrame({"interval_start": stamps.strftime("%Y-%m-%dT%H:%M:%S"),
                          "contacts": np.arange(len(stamps)) % 7, "aht_seconds": 300})
    if queue:
        frame["queue"] = queue
    frame.to_csv(path, index=False)
    return path


def test_interval_history_is_read_on_the_grid(tmp_path):
    history = load_history(_interval_csv(tmp_path / "h.csv"), SITE)
    assert list(history.columns) == ["interval_start", "queue", "contacts", "aht_seconds"]
    assert len(history) == 14 * 48
    assert set(history["queue"]) == {"default"}
    assert history["interval_start"].iloc[0] == pd.Timestamp("2026-03-02T00:00+08:00")
    assert history["contacts"].iloc[:8].tolist() == [0, 1, 2, 3, 4, 5, 6, 0]


def test_finer_history_is_summed_to_the_site_interval(tmp_path):
    path = _interval_csv(tmp_path / "h.csv", minutes=15)
    raw = pd.read_csv(path).drop(index=[5])  # 01:15 unknown -> the 01:00 interval is unknown
    raw.loc[0, "aht_seconds"] = 100  # 00:00 (0 contacts) and 00:15 (1 contact, 300 s)
    raw.to_csv(path, index=False)
    history = load_history(path, SITE)
    first = history.set_index("interval_start")
    stamp = pd.Timestamp("2026-03-02T00:00+08:00")
    assert first.loc[stamp, "contacts"] == 0 + 1
    assert first.loc[stamp, "aht_seconds"] == 300  # contact-weighted
    assert first.loc[stamp + pd.Timedelta(minutes=30), "contacts"] == 2 + 3
    assert stamp + pd.Timedelta(minutes=60) not in first.index
    assert len(history) == 14 * 48 - 1


def test_contact_records_are_counted_per_interval(tmp_path):
    path = tmp_path / "records.csv"
    rows = ["arrival_time,handle_seconds,abandoned",
            "2026-03-02T08:01:00,100,false",
            "2026-03-02T08:29:59,200,false",
            "2026-03-02T08:10:00,,true",
            "2026-03-02T09:45:00,60,false",
            "2026-03-04T10:00:00,30,false"]  # 3 March has no record: unknown, not zero
    path.write_text("\n".join(rows) + "\n")
    history = load_history(path, SITE, min_days=1).set_index("interval_start")
    at = pd.Timestamp("2026-03-02T08:00+08:00")
    assert history.loc[at, "contacts"] == 3  # the abandoned one was offered too
    assert history.loc[at, "aht_seconds"] == 150  # from the two handled contacts
    assert history.loc[pd.Timestamp("2026-03-02T09:30+08:00"), "contacts"] == 1
    assert history.loc[pd.Timestamp("2026-03-02T12:00+08:00"), "contacts"] == 0
    assert np.isnan(history.loc[pd.Timestamp("2026-03-02T12:00+08:00"), "aht_seconds"])
    days = {t.date() for t in history.index}
    assert days == {date(2026, 3, 2), date(2026, 3, 4)}
    assert len(history) == 2 * 48


def test_too_short_history_says_how_much_is_needed(tmp_path):
    with pytest.raises(InvalidInput, match=r"history is too short to forecast queue 'default': "
                       r"10 day\(s\) with data, at least 14 days \(two of every weekday\) are "
                       r"needed"):
        load_history(_interval_csv(tmp_path / "h.csv", days=10), SITE)


def test_mixed_interval_lengths_are_an_error(tmp_path):
    path = _interval_csv(tmp_path / "h.csv")
    raw = pd.read_csv(path)
    extra = pd.DataFrame({"interval_start": ["2026-03-05T10:15:00"], "contacts": [1],
                          "aht_seconds": [300]})
    pd.concat([raw, extra]).sort_values("interval_start").to_csv(path, index=False)
    line = int(pd.read_csv(path)["interval_start"].eq("2026-03-05T10:15:00").idxmax()) + 2
    with pytest.raises(InvalidInput, match=rf"line {line}, field 'interval_start': mixed interval "
                       r"lengths in history: 15 minutes \(e\.g\. 2026-03-05, queue 'default'\), "
                       r"30 minutes.*the first row off the 30-minute grid is line"):
        load_history(path, SITE)


def test_timestamps_off_the_grid_are_an_error(tmp_path):
    path = _interval_csv(tmp_path / "h.csv")
    raw = pd.read_csv(path)
    raw["interval_start"] = (pd.to_datetime(raw["interval_start"]) + pd.Timedelta(minutes=10)
                             ).dt.strftime("%Y-%m-%dT%H:%M:%S")
    raw.to_csv(path, index=False)
    with pytest.raises(InvalidInput, match=r"line 2, field 'interval_start': 2026-03-02 00:10:00 "
                       r"is not on the 30-minute interval grid"):
        load_history(path, SITE)


def test_coarser_history_than_the_site_interval_is_an_error(tmp_path):
    path = _interval_csv(tmp_path / "h.csv", minutes=60)
    with pytest.raises(InvalidInput, match="history has 60-minute intervals but the site uses "
                       "interval_minutes = 30; set interval_minutes = 60"):
        load_history(path, SITE)


def test_duplicated_timestamps_are_an_error(tmp_path):
    path = _interval_csv(tmp_path / "h.csv")
    raw = pd.read_csv(path)
    pd.concat([raw.iloc[:3], raw.iloc[2:]]).to_csv(path, index=False)
    with pytest.raises(InvalidInput, match=r"duplicate rows for interval_start=2026-03-02 "
                       r"01:00:00\+08:00, queue=default on lines 4, 5"):
        load_history(path, SITE)


def test_rows_in_any_order_load_the_same_as_sorted(tmp_path):
    """A history merged from two ACD exports is rarely sorted: it is read as if it were."""
    path = _interval_csv(tmp_path / "h.csv")
    expected = load_history(path, SITE)
    raw = pd.read_csv(path)
    raw.sample(frac=1.0, random_state=3).to_csv(tmp_path / "shuffled.csv", index=False)
    pd.testing.assert_frame_equal(load_history(tmp_path / "shuffled.csv", SITE), expected)


def test_a_configured_queue_without_history_is_an_error(tmp_path):
    path = _interval_csv(tmp_path / "h.csv", queue="presale")
    typo = build_config({"queues": {"presales": {"level": 0.9}}})
    with pytest.raises(InvalidInput, match=r"configured queue\(s\) presales have no history, so "
                       r"they cannot be forecast \(history has: presale\)"):
        load_history(path, typo)
    overrides_only = build_config({"queues": {"presale": {"level": 0.9}}})
    assert set(load_history(path, overrides_only)["queue"]) == {"presale"}


def test_a_file_that_is_neither_kind_of_history_is_an_error(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("when,calls\n2026-03-02T00:00:00,3\n")
    with pytest.raises(InvalidInput, match="history needs either interval columns"):
        load_history(path, SITE)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(InvalidInput, match="file not found"):
        load_history(tmp_path / "nope.csv", SITE)


def test_days_count_for_the_length_check_only_when_they_have_data(tmp_path):
    path = _interval_csv(tmp_path / "h.csv", days=20)
    raw = pd.read_csv(path)
    keep = pd.to_datetime(raw["interval_start"]).dt.date < date(2026, 3, 2) + timedelta(days=13)
    raw[keep | (np.arange(len(raw)) == len(raw) - 1)].to_csv(path, index=False)
    with pytest.raises(InvalidInput, match=r"14 day\(s\) with data, at least 15 days"):
        load_history(path, SITE, min_days=15)


# ---- daylight saving --------------------------------------------------------------------------

NEW_YORK = build_config({"timezone": "America/New_York", "country": "US",
                         "interval_minutes": 30})


def _fall_back_intervals(path: Path, minutes: int) -> pd.DataFrame:
    """``minutes`` intervals over 2025-10-20..11-09 in New York (fall-back on 11-02), each with
    its UTC offset, 3 contacts each."""
    step = pd.Timedelta(minutes=minutes)
    start = pd.Timestamp("2025-10-20", tz="America/New_York")
    stop = pd.Timestamp("2025-11-10", tz="America/New_York")
    stamps = pd.date_range(start.tz_convert("UTC"), stop.tz_convert("UTC"), freq=step,
                           inclusive="left").tz_convert("America/New_York")
    table = pd.DataFrame({"interval_start": [t.isoformat() for t in stamps], "queue": "calls",
                          "contacts": 3, "aht_seconds": 200.0})
    table.to_csv(path, index=False)
    return table


@pytest.mark.parametrize("minutes", [30, 15])
def test_interval_history_across_the_autumn_change_keeps_the_repeated_hour(tmp_path, minutes):
    """Offsets make every row unambiguous: nothing is refused or lost, at 30 minutes or summed
    up from 15 (21 days x 48 half-hours + the 2 extra half-hours of the 25-hour day)."""
    raw = _fall_back_intervals(tmp_path / "h.csv", minutes)
    history = load_history(tmp_path / "h.csv", NEW_YORK)
    assert len(history) == 21 * 48 + 2
    assert history["contacts"].sum() == 3 * len(raw)
    repeated = history[history["interval_start"].dt.tz_localize(None)
                       == pd.Timestamp("2025-11-02T01:30")]
    assert repeated["interval_start"].dt.strftime("%z").tolist() == ["-0400", "-0500"]


def test_contact_records_in_the_repeated_hour_are_all_counted(tmp_path):
    arrivals = pd.date_range(pd.Timestamp("2025-10-20T04:00Z"), pd.Timestamp("2025-11-10T04:00Z"),
                             freq="7min", inclusive="left").tz_convert("America/New_York")
    pd.DataFrame({"arrival_time": [t.isoformat() for t in arrivals], "handle_seconds": 100,
                  "queue": "calls"}).to_csv(tmp_path / "r.csv", index=False)
    history = load_history(tmp_path / "r.csv", NEW_YORK)
    assert history["contacts"].sum() == len(arrivals)


def test_an_ambiguous_local_time_without_offset_says_so(tmp_path):
    path = tmp_path / "h.csv"
    raw = _fall_back_intervals(path, 30)
    raw["interval_start"] = raw["interval_start"].str[:19]  # offsets dropped
    raw.drop_duplicates("interval_start").to_csv(path, index=False)
    with pytest.raises(InvalidInput, match=r"line 628, field 'interval_start': this local time "
                       r"happens twice in America/New_York \(daylight saving ends\); write it "
                       r"with its UTC offset: 2025-11-02T01:00:00-04:00 or "
                       r"2025-11-02T01:00:00-05:00, got '2025-11-02T01:00:00'"):
        load_history(path, NEW_YORK)
    berlin = build_config({"timezone": "Europe/Berlin", "interval_minutes": 30})
    path.write_text("interval_start,contacts,aht_seconds\n2026-03-29T02:30:00,4,100\n")
    with pytest.raises(InvalidInput, match=r"line 2, .*does not exist in Europe/Berlin"):
        load_history(path, berlin)

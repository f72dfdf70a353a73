"""Generate the workshop's data: a listeners dimension and one spins file a day.

The original workshop took about 5% of a real metadata dump for one day's
spins and made up 100 listeners. This generator needs no private input: it
is seeded, so the same arguments always give the same bytes, and it is
vectorised, so ten million spins take seconds.

    python -m song_plays_ops.generate_fake_data --out build/remote
    python -m song_plays_ops.generate_fake_data --out build/remote --start 2019-02-01 --end 2019-02-28

It writes the file names the workshop's Luigi tasks download:
listeners.snappy.parquet and spins-YYYY-MM-DD.snappy.parquet.
"""
import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

LISTENERS_FILE = "listeners.snappy.parquet"
SPINS_FILE = "spins-{day:%Y-%m-%d}.snappy.parquet"

AGES = ["18-25", "26-40", "40-55", "65+"]
GENDERS = ["M", "F", "Unknown"]
SUBSCRIPTION_TYPES = ["Ad-supported", "Plus", "Premium", "Family"]
PLAY_SOURCES = ["Station", "Album", "Collections", "Playlist", "Thumbed Up Track",
                "Thumbed Down Track", "Autoplay", "All Artist Tracks"]

LISTENERS_SCHEMA = pa.schema([
    ("fake_listener_id", pa.int32()),
    ("age", pa.string()),
    ("gender", pa.string()),
    ("subscription_type", pa.string()),
    ("country", pa.string()),
    ("fake_zipcode", pa.int32()),
])
# Microseconds in UTC: Spark 4 cannot read pandas' default nanoseconds, and a
# zone-less timestamp would come back as TIMESTAMP_NTZ instead of TIMESTAMP.
SPINS_SCHEMA = pa.schema([
    ("fake_artist_id", pa.int32()),
    ("artist_name", pa.string()),
    ("fake_track_id", pa.int32()),
    ("track_title", pa.string()),
    ("date_time", pa.timestamp("us", tz="UTC")),
    ("elapsed_seconds", pa.int32()),
    ("play_source", pa.string()),
    ("fake_listener_id", pa.int32()),
])

MAX_ELAPSED_SECONDS = 300
DUPLICATE_SHARE = 0.02        # re-delivered events, so that distinct() matters
UNKNOWN_LISTENER_SHARE = 0.003  # spins by listeners missing from the dimension
NUM_ARTISTS = 400
MAX_TRACKS_PER_ARTIST = 12

# Word lists for names that look human; a few carry quotes and accents on purpose.
FIRST_NAMES = ["Ana", "Ben", "Chloé", "Dev", "Elena", "Femi", "Grace", "Hugo", "Iris", "Jonas", "Kai",
               "Lena", "Marco", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Viktor",
               "Wren", "Ximena", "Yusuf", "Zoë"]
LAST_NAMES = ["Adams", "Baptiste", "Castro", "Duarte", "Eriksen", "Fontaine", "García", "Hughes", "Ito",
              "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "O'Neill", "Petrov", "Quintero",
              "Rossi", "Santos", "Thompson", "Underwood", "Varga", "Whitfield", "Young", "Zimmer"]
ADJECTIVES = ["Electric", "Velvet", "Silent", "Golden", "Broken", "Midnight", "Wild", "Neon", "Paper",
              "Crystal", "Hollow", "Lucky", "Restless", "Frozen", "Burning", "Gentle", "Lonely", "Cosmic",
              "Rusty", "Secret", "Sweet", "Northern", "Distant", "Crimson"]
NOUNS = ["Heart", "River", "Fox", "Signal", "Garden", "Highway", "Echo", "Mirror", "Satellite", "Ocean",
         "Lantern", "Harbor", "Thunder", "Canyon", "Window", "Shadow", "Summer", "Engine", "Island", "Parade",
         "Feather", "Static", "Comet", "Avenue"]
VERBS = ["Chasing", "Holding", "Dancing With", "Waiting For", "Leaving", "Finding", "Running From",
         "Dreaming Of", "Calling", "Breaking"]


def pick(rng, words, size):
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]


def artist_names(rng, n):
    """Band-like, person-like and DJ-like names, made unique by index where they clash."""
    style = rng.integers(0, 4, n)
    bands = "The " + pick(rng, ADJECTIVES, n) + " " + pick(rng, NOUNS, n) + "s"
    people = pick(rng, FIRST_NAMES, n) + " " + pick(rng, LAST_NAMES, n)
    duos = pick(rng, NOUNS, n) + " & " + pick(rng, NOUNS, n)
    djs = "DJ " + pick(rng, ADJECTIVES, n)
    names = np.where(style == 0, bands, np.where(style == 1, people, np.where(style == 2, duos, djs)))
    seen = {}
    for i, name in enumerate(names):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            names[i] = f"{name} {seen[name]}"
    return names


def track_titles(rng, n):
    style = rng.integers(0, 6, n)
    plain = pick(rng, ADJECTIVES, n) + " " + pick(rng, NOUNS, n)
    action = pick(rng, VERBS, n) + " the " + pick(rng, NOUNS, n)
    of = pick(rng, NOUNS, n) + " of " + pick(rng, NOUNS, n)
    feat = pick(rng, NOUNS, n) + " (feat. " + pick(rng, FIRST_NAMES, n) + ")"
    quoted = 'Song for "' + pick(rng, FIRST_NAMES, n) + '"'
    short = pick(rng, NOUNS, n)
    options = [plain, action, of, feat, quoted, short]
    return np.choose(style, options)


def catalogue(seed):
    """Artists and their tracks. It is the same for every day, so ids stay consistent."""
    rng = np.random.default_rng([seed, 0])
    artist_ids = rng.choice(np.arange(1, 1_000_000), NUM_ARTISTS, replace=False).astype(np.int32)
    names = artist_names(rng, NUM_ARTISTS)
    tracks_per_artist = rng.integers(1, MAX_TRACKS_PER_ARTIST + 1, NUM_ARTISTS)
    track_artist = np.repeat(np.arange(NUM_ARTISTS), tracks_per_artist)
    num_tracks = len(track_artist)
    track_ids = rng.choice(np.arange(1, 1_000_000), num_tracks, replace=False).astype(np.int32)
    # A few hits and a long tail, as in real listening.
    popularity = 1.0 / np.arange(1, num_tracks + 1) ** 0.8
    popularity = rng.permutation(popularity / popularity.sum())
    return {
        "artist_id": artist_ids[track_artist],
        "artist_name": pa.array(names[track_artist], pa.string()),
        "track_id": track_ids,
        "track_title": pa.array(track_titles(rng, num_tracks), pa.string()),
        "popularity": popularity,
    }


def make_listeners(seed, num_listeners):
    rng = np.random.default_rng([seed, 1])
    return pa.table({
        "fake_listener_id": pa.array(np.arange(1, num_listeners + 1), pa.int32()),
        "age": pa.array(pick(rng, AGES, num_listeners), pa.string()),
        "gender": pa.array(pick(rng, GENDERS, num_listeners), pa.string()),
        "subscription_type": pa.array(pick(rng, SUBSCRIPTION_TYPES, num_listeners), pa.string()),
        "country": pa.array(["US"] * num_listeners, pa.string()),
        "fake_zipcode": pa.array(rng.integers(10_000, 100_000, num_listeners), pa.int32()),
    }, schema=LISTENERS_SCHEMA)


def make_spins(seed, day, num_spins, num_listeners, tracks):
    """One day's spins: num_spins rows, of which about 2% re-deliver an earlier row."""
    rng = np.random.default_rng([seed, 2, day.toordinal()])
    num_duplicates = int(round(num_spins * DUPLICATE_SHARE))
    num_events = num_spins - num_duplicates

    track = rng.choice(len(tracks["track_id"]), num_events, p=tracks["popularity"])
    listener = rng.integers(1, num_listeners + 1, num_events)
    unknown = rng.random(num_events) < UNKNOWN_LISTENER_SHARE
    listener[unknown] = num_listeners + rng.integers(1, 4, int(unknown.sum()))
    midnight_us = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()) * 1_000_000
    offset_us = rng.integers(0, 86_400, num_events) * 1_000_000

    # Re-deliveries copy whole rows; sorting by time puts them among the rest.
    rows = np.concatenate([np.arange(num_events), rng.integers(0, num_events, num_duplicates)])
    rows = rows[np.argsort(offset_us[rows], kind="stable")]
    track, listener = track[rows], listener[rows]
    take = pa.array(track)
    return pa.table({
        "fake_artist_id": pa.array(tracks["artist_id"][track], pa.int32()),
        "artist_name": tracks["artist_name"].take(take),
        "fake_track_id": pa.array(tracks["track_id"][track], pa.int32()),
        "track_title": tracks["track_title"].take(take),
        "date_time": pa.array(midnight_us + offset_us[rows], pa.timestamp("us", tz="UTC")),
        "elapsed_seconds": pa.array(rng.integers(0, MAX_ELAPSED_SECONDS + 1, num_events)[rows], pa.int32()),
        "play_source": pa.array(PLAY_SOURCES).take(rng.integers(0, len(PLAY_SOURCES), num_events)[rows]),
        "fake_listener_id": pa.array(listener, pa.int32()),
    }, schema=SPINS_SCHEMA)


def write_parquet(table, path):
    """Write next to the final name, then rename: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="snappy", coerce_timestamps="us")
    partial.replace(path)


def generate(out, start, end, spins_per_day, num_listeners, seed, log=print):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_parquet(make_listeners(seed, num_listeners), out / LISTENERS_FILE)
    tracks = catalogue(seed)
    days = (end - start).days + 1
    for i in range(days):
        day = start + dt.timedelta(days=i)
        write_parquet(make_spins(seed, day, spins_per_day, num_listeners, tracks), out / SPINS_FILE.format(day=day))
        log(f"[{i + 1}/{days}] {SPINS_FILE.format(day=day)}: {spins_per_day:,} spins")
    return out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder to write into (the HTTP server serves it)")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2019, 2, 8),
                        help="first day, YYYY-MM-DD (default 2019-02-08)")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=None,
                        help="last day, inclusive (default: the start day)")
    parser.add_argument("--spins-per-day", type=int, default=5_000, help="rows per spins file (default 5000)")
    parser.add_argument("--listeners", type=int, default=100, help="listeners in the dimension (default 100)")
    parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    args = parser.parse_args(argv)
    args.end = args.end or args.start
    if args.end < args.start:
        parser.error(f"--end {args.end} is before --start {args.start}")
    if args.spins_per_day < 0:
        parser.error("--spins-per-day must be 0 or more")
    if args.listeners < 1:
        parser.error("--listeners must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    generate(args.out, args.start, args.end, args.spins_per_day, args.listeners, args.seed)


if __name__ == "__main__":
    main()

"""The columns of the job's inputs and reports, as the workshop specifies them: the one source for all code."""

# What the job needs from its inputs (Spark's type names); other columns are ignored.
SPINS_SCHEMA = {"fake_artist_id": "int", "artist_name": "string", "fake_track_id": "int", "track_title": "string",
                "date_time": "timestamp", "elapsed_seconds": "int", "play_source": "string", "fake_listener_id": "int"}
LISTENERS_SCHEMA = {"fake_listener_id": "int", "age": "string", "gender": "string", "subscription_type": "string",
                    "country": "string", "fake_zipcode": "int"}

# The reports' headers, in order.
DATASET_COLUMNS = [
    "fake_listener_id", "fake_artist_id", "artist_name", "fake_track_id", "track_title", "date_time",
    "elapsed_seconds", "play_source", "age", "gender", "subscription_type", "country", "fake_zipcode",
]
COUNTS_COLUMNS = ["fake_zipcode", "subscription_type", "spins"]

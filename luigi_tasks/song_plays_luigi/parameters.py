"""Luigi parameters that refuse a bad value typed on the command line with one line, as argparse does."""
import luigi


class CheckedParameter:
    """Mixed in before a luigi parameter: its parse() errors become `luigi: error: ...` and exit 2."""

    def parse(self, text):
        try:
            return self.normalize(super().parse(text))
        except ValueError as error:
            raise SystemExit(f"luigi: error: {text!r} is not a valid {self.description}: {error}") from None


class DayParameter(CheckedParameter, luigi.DateParameter):
    """luigi.DateParameter: YYYY-MM-DD."""

    def __init__(self, **kwargs):
        super().__init__(description="day (YYYY-MM-DD)", **kwargs)


class RowCountParameter(CheckedParameter, luigi.IntParameter):
    """luigi.IntParameter that is 0 or more."""

    def __init__(self, **kwargs):
        super().__init__(description="row count (0 or more)", **kwargs)

    def normalize(self, value):
        if int(value) < 0:
            raise ValueError("a row count cannot be negative")
        return int(value)

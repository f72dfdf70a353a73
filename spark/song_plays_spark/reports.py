"""The reports as the labels receive them: one gzip TSV file per folder, with a header, then _SUCCESS.

    write_reports(dataset, counts, dataset_out_path, analysis_out_path)

Only public APIs: Spark writes the parts, and Python joins them (plain file operations on a local disk,
pyarrow's file systems for HDFS or S3), so the same code runs under spark-submit and as a Spark Connect client,
as long as both sides see the output folders.
"""
import gzip
import os
import shutil
import urllib.parse
from pathlib import Path

from pyspark.sql import functions as F

# Tab-separated and gzip-compressed. Quoting is off (an empty quote character), so a title such as
# Song for "Ana" is written as it is, and a missing value is an empty field. The header is added once, below.
TSV_OPTIONS = {
    "header": "false",
    "sep": "\t",
    "compression": "gzip",
    "quote": "",
    "escapeQuotes": "false",
    "nullValue": "",
    "emptyValue": "",
    "timestampFormat": "yyyy-MM-dd HH:mm:ss",
}
REPORT_FILE = "part-00000.csv.gz"


class LocalFiles:
    """The few file operations the writer needs, on this machine's disk, in plain Python.

    pyarrow.fs would do, but importing pyarrow costs the job's driver about 40 MB (benchmarks/README.md).
    """

    @staticmethod
    def exists(path):
        return os.path.exists(path)

    @staticmethod
    def delete_dir(path):
        shutil.rmtree(path)

    @staticmethod
    def parts(folder):
        return sorted(str(entry) for entry in Path(folder).glob("part-*"))

    @staticmethod
    def open_output(path):
        return open(path, "wb")

    @staticmethod
    def open_input(path):
        return open(path, "rb")

    @staticmethod
    def move(source, target):
        os.replace(source, target)

    @staticmethod
    def delete_file(path):
        os.remove(path)


class ArrowFiles:
    """The same operations through pyarrow's file system for a URI: hdfs://, s3://, ..."""

    def __init__(self, filesystem):
        self.fs = filesystem

    def exists(self, path):
        from pyarrow.fs import FileType
        return self.fs.get_file_info(path).type != FileType.NotFound

    def delete_dir(self, path):
        self.fs.delete_dir(path)

    def parts(self, folder):
        from pyarrow.fs import FileSelector
        return sorted(info.path for info in self.fs.get_file_info(FileSelector(folder)) if info.base_name.startswith("part-"))

    def open_output(self, path):
        return self.fs.open_output_stream(path, compression=None)

    def open_input(self, path):
        return self.fs.open_input_stream(path, compression=None)

    def move(self, source, target):
        self.fs.move(source, target)

    def delete_file(self, path):
        self.fs.delete_file(path)


def file_system(path):
    """The files of a local path or file:// URI, or of any other URI through pyarrow; and the path within them."""
    path = str(path)
    if path.startswith("file://"):
        return LocalFiles(), urllib.parse.unquote(urllib.parse.urlsplit(path).path)
    if "://" in path:
        from pyarrow.fs import FileSystem
        filesystem, inner = FileSystem.from_uri(path)
        return ArrowFiles(filesystem), inner
    return LocalFiles(), os.path.abspath(path)


def tsv_safe_text(column):
    """The text with each tab and line break made a space; with quoting off they would split a field or a row.

    translate() decodes every text and looks up each character. Most texts have no break to replace,
    and contains() only compares bytes, so only the texts that have one are translated.
    """
    text = F.col(column)
    has_break = text.contains("\t") | text.contains("\r") | text.contains("\n")
    return F.when(has_break, F.translate(column, "\t\r\n", "   ")).otherwise(text).alias(column)


def join_gzip_members(fs, header, parts, target):
    """Write a gzipped header, then each part's bytes, into target (atomically, through a rename).

    A gzip file may hold several compressed members in a row; gzip, pandas and Spark read them back as one
    stream. So the parts are joined as they are, with no second compression.
    """
    folder, name = target.rsplit("/", 1)
    partial = f"{folder}/_{name}.partial"  # readers of the folder skip names that start with _
    with fs.open_output(partial) as out:
        out.write(gzip.compress(header.encode(), mtime=0))
        for part in parts:
            with fs.open_input(part) as source:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    fs.move(partial, target)


def write_single_tsv(df, folder):
    """One gzip TSV file with a header, in folder/part-00000.csv.gz.

    Every task gzips its own part in parallel (one task gzipping everything was the job's slowest step),
    then the parts become one file.
    """
    safe = df.select(*[tsv_safe_text(column) if kind == "string" else column for column, kind in df.dtypes])
    fs, root = file_system(folder)
    if fs.exists(root):
        fs.delete_dir(root)  # a report from an earlier run must not linger beside the new one
    safe.write.options(**TSV_OPTIONS).csv(f"{folder}/_parts")  # Spark's and pandas' readers skip _names
    join_gzip_members(fs, "\t".join(df.columns) + "\n", fs.parts(f"{root}/_parts"), f"{root}/{REPORT_FILE}")
    fs.delete_dir(f"{root}/_parts")


def set_success_marker(folder, present):
    fs, root = file_system(folder)
    marker = f"{root}/_SUCCESS"
    if present:
        fs.open_output(marker).close()
    elif fs.exists(marker):
        fs.delete_file(marker)


def write_reports(dataset, counts, dataset_out_path, analysis_out_path):
    """Write both reports; only then mark each folder _SUCCESS, so a crash never looks finished."""
    folders = [dataset_out_path, analysis_out_path]
    for folder in folders:
        set_success_marker(folder, present=False)
    write_single_tsv(dataset, dataset_out_path)
    write_single_tsv(counts, analysis_out_path)
    for folder in folders:
        set_success_marker(folder, present=True)

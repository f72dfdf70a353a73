"""The reports as the labels receive them: one gzip TSV file per folder, with a header, then _SUCCESS.

    write_reports(dataset, counts, dataset_out_path, analysis_out_path)

Only public APIs: Spark writes the parts, and pyarrow's file systems (local, HDFS, S3) join them, so the same
code runs under spark-submit and as a Spark Connect client, as long as both sides see the output folders.
"""
import gzip
import os

from pyarrow import fs as pafs
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


def file_system(path):
    """pyarrow's file system for a local path or a URI (file://, hdfs://, s3://), and the path within it."""
    path = str(path)
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), os.path.abspath(path)


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
    with fs.open_output_stream(partial, compression=None) as out:
        out.write(gzip.compress(header.encode(), mtime=0))
        for part in parts:
            with fs.open_input_stream(part, compression=None) as source:
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
    if fs.get_file_info(root).type != pafs.FileType.NotFound:
        fs.delete_dir(root)  # a report from an earlier run must not linger beside the new one
    safe.write.options(**TSV_OPTIONS).csv(f"{folder}/_parts")  # Spark's and pandas' readers skip _names
    parts = sorted(info.path for info in fs.get_file_info(pafs.FileSelector(f"{root}/_parts"))
                   if info.base_name.startswith("part-"))
    join_gzip_members(fs, "\t".join(df.columns) + "\n", parts, f"{root}/{REPORT_FILE}")
    fs.delete_dir(f"{root}/_parts")


def set_success_marker(folder, present):
    fs, root = file_system(folder)
    marker = f"{root}/_SUCCESS"
    if present:
        fs.open_output_stream(marker, compression=None).close()
    elif fs.get_file_info(marker).type != pafs.FileType.NotFound:
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

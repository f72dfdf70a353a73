"""pyspark's internals that the workshop relies on, in one place; tests/test_private_apis.py fails loudly when a
pyspark upgrade moves one of them.

pyspark has no public way to end the JVM it starts for a kernel (spark.stop() keeps it, about 400 MB, for the
kernel's life), nor to start that JVM with its console elsewhere: Java's own warnings (the incubator module) reach
the kernel's stderr whatever log4j says. pyspark is imported only when these run, so that a kernel that never
starts Spark never imports it (about 30 MB).
"""
import subprocess


def send_jvm_console_to(log):
    """Start every JVM pyspark launches from this process with its stdout and stderr appended to log.

    SparkContext looks launch_gateway up in pyspark.core.context each time it starts a JVM: wrap it there.
    """
    from pyspark.core import context

    if hasattr(context.launch_gateway, "launches"):
        return  # already sent
    launch = context.launch_gateway

    def launch_quietly(conf=None, popen_kwargs=None):
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as console:
            return launch(conf, {**(popen_kwargs or {}), "stdout": console, "stderr": subprocess.STDOUT})

    launch_quietly.launches = launch
    context.launch_gateway = launch_quietly


def jvm_process():
    """The Popen of the JVM pyspark started for this process, or None."""
    from pyspark import SparkContext
    return SparkContext._gateway.proc if SparkContext._gateway else None


def end_jvm():
    """End the JVM pyspark started for this process (after spark.stop()); the next SparkContext starts a new one."""
    from pyspark import SparkContext
    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    gateway.proc.stdin.close()  # the JVM ends when its stdin closes
    gateway.proc.wait(timeout=60)
    SparkContext._gateway = SparkContext._jvm = None

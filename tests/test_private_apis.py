"""The private APIs the workshop still relies on (notebooks/workshop/private_apis.py), checked without a JVM, so
that a pin bump that moves one fails here, by name, before a notebook fails in class. The slow tests in
test_workshop_helpers.py run them for real."""
import inspect

from pyspark import SparkContext
from pyspark.core import context
from pyspark import java_gateway

from workshop import private_apis

WHY = "pyspark changed: update notebooks/workshop/private_apis.py (and this test) for it"


def test_sparkcontext_starts_its_jvm_through_pyspark_core_contexts_launch_gateway():
    assert hasattr(context, "launch_gateway"), WHY
    assert list(inspect.signature(java_gateway.launch_gateway).parameters) == ["conf", "popen_kwargs"], WHY
    source = inspect.getsource(SparkContext._ensure_initialized)
    assert "SparkContext._gateway = gateway or launch_gateway(conf)" in source, WHY


def test_the_jvm_is_sparkcontexts_gateway_and_its_process_hangs_on_the_gateway():
    assert "_gateway" in vars(SparkContext) and "_jvm" in vars(SparkContext), WHY
    assert "gateway.proc = proc" in inspect.getsource(java_gateway.launch_gateway), WHY
    assert callable(getattr(java_gateway.JavaGateway, "shutdown", None)), WHY


def test_the_wrapper_is_installed_once_and_keeps_pysparks_launcher(tmp_path):
    original = context.launch_gateway
    try:
        private_apis.send_jvm_console_to(tmp_path / "console.log")
        wrapper = context.launch_gateway
        private_apis.send_jvm_console_to(tmp_path / "other.log")
        assert context.launch_gateway is wrapper and wrapper.launches is (getattr(original, "launches", original))
    finally:
        context.launch_gateway = original
    assert private_apis.jvm_process() is None or private_apis.jvm_process().poll() is None

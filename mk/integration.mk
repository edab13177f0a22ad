# mk/integration.mk — ugrad in other people's projects: the model exporter's tests, the C API test
# (host and one emulated target), and a CMake consumer project built against this tree.

DEPS_PACKAGES += python3 gcc cmake pkgconf

# ---- tools/export_model.py: rounding, error cases, malformed-input fuzz, JSON -> header round trip.
.PHONY: test-exporter
test-exporter: | deps
	@echo "== exporter tests (python3 -m unittest, tests/exporter)"
	@mkdir -p $(BUILD)/exporter
	@if python3 -m unittest discover -s tests/exporter -p 'test_*.py'; then \
	    echo "exporter tests: PASS"; else echo "exporter tests: FAIL"; exit 1; fi
TEST_GOALS += test-exporter

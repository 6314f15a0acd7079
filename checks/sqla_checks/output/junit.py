"""`--format junit`: JUnit XML, which CI servers (GitLab, Jenkins, Azure) show as tests.

One `<testsuite>` per file with findings or an error, one `<testcase>` per finding
(a `<failure>`) or per file that could not be checked (an `<error>`, code ALC000);
a clean run is one passing test case, so the report is never empty. Test cases
carry only the attributes the common JUnit schema allows (`name`, `classname`);
the position is in the failure text, as ruff writes it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from sqla_checks.output import file_errors
from sqla_checks.output.report import RunReport

SUITES_NAME = "sqla-checks"
# Characters XML 1.0 cannot carry, even escaped (a file name or quoted source text).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _case(suite: ET.Element, path: str, code: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", name=f"{SUITES_NAME}.{code}", classname=_xml_text(path))


def render(report: RunReport) -> str:
    """The JUnit XML document of a run."""
    suites = ET.Element("testsuites", name=SUITES_NAME)
    by_path: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for error in report.errors:
        where = f"line {error.line}, col {error.column or 1}, " if error.line else ""
        by_path[error.path].append(("error", file_errors.CODE, error.reason, where))
    for finding in report.findings:
        where = f"line {finding.start.line}, col {finding.start.column}, "
        by_path[finding.path].append(("failure", finding.code, finding.message, where))
    if not by_path:
        suite = ET.SubElement(
            suites, "testsuite", name=SUITES_NAME, tests="1", failures="0", errors="0"
        )
        _case(suite, SUITES_NAME, "no-findings")
    for path in sorted(by_path):
        cases = by_path[path]
        errors = sum(1 for kind, *_ in cases if kind == "error")
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=_xml_text(path),
            tests=str(len(cases)),
            failures=str(len(cases) - errors),
            errors=str(errors),
        )
        for kind, code, message, where in cases:
            outcome = ET.SubElement(
                _case(suite, path, code), kind, message=_xml_text(message), type=code
            )
            outcome.text = _xml_text(f"{where}{message}")
    total = sum(len(cases) for cases in by_path.values()) or 1
    suites.set("tests", str(total))
    suites.set("failures", str(len(report.findings)))
    suites.set("errors", str(len(report.errors)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"

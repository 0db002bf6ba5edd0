#!/usr/bin/python3
"""Reads a JUnit XML file with junitparser (Debian's python3-junitparser) and
prints one line per suite, property and case, for tests/test_compare.c:
  suite NAME tests=N failures=N skipped=N
  property NAME=VALUE
  case SUITE CLASSNAME NAME failure|skipped|pass MESSAGE
"""
import sys

from junitparser import Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    print(f"suite {suite.name} tests={suite.tests} failures={suite.failures} "
          f"skipped={suite.skipped}")
    for prop in suite.properties():
        print(f"property {prop.name}={prop.value}")
    for case in suite:
        kind, message = "pass", ""
        for r in case.result:
            if isinstance(r, Failure):
                kind, message = "failure", r.message
            elif isinstance(r, Skipped):
                kind, message = "skipped", r.message
        print(f"case {suite.name} {case.classname} {case.name} {kind} {message}")

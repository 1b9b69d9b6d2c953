#!/usr/bin/env bash
# Runs the whole build: formatting check, compilation with Error Prone, every module's tests, coverage report.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"

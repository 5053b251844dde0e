#!/usr/bin/env bash
# Builds and checks this example the way a plugin author's build would, against the tok artifacts
# in the local Maven repository. Run it after `./mvnw -B -ntp install` of tok itself; extra
# arguments go to Maven (for example -o, or -Dmaven.repo.local=...).
#
#  1. mvn verify: compiles the plugin against tok-api (versions from tok-bom), runs tok's
#     TransportCompatibilityKit and the plugin's own tests, packages the jar.
#  2. check/ModulePathCheck.java: the jar on the module path next to tok-api, tok-core and
#     tok-queue-memory, only dev.tok.api as a root module: ServiceLoader must find the provider
#     by name as the named module com.example.tok.transport.unix, and a TokServer naming only
#     "unix" must serve a client through it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
mvn="${MVN:-$here/../../mvnw}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$here"

echo "== examples/third-party-transport: build and test against the installed tok artifacts"
"$mvn" -B -ntp "$@" clean verify

echo "== examples/third-party-transport: module-path discovery"
jars=(target/tok-transport-unix-*.jar)
[ "${#jars[@]}" -eq 1 ] && [ -f "${jars[0]}" ] || { echo "expected one plugin jar in target/, found: ${jars[*]}" >&2; exit 1; }
"$java" -Dslf4j.internal.verbosity=ERROR -p "target/module-path:${jars[0]}" --add-modules dev.tok.api check/ModulePathCheck.java

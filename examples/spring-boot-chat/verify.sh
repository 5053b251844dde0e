#!/usr/bin/env bash
# Builds and tests this example the way an application's build would, against the tok artifacts in
# the local Maven repository. Run it after `./mvnw -B -ntp install` of tok itself; extra arguments
# go to Maven (for example -o, or -Dmaven.repo.local=...).
#
# mvn verify: compiles the application against tok-spring-boot-starter (versions from tok-bom,
# Spring Boot from spring-boot-starter-parent), runs ChatApplicationTest (@SpringBootTest: tcp and
# netty-ws on free ports, alice over TCP and bob over WebSocket chat) and packages the executable jar.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
mvn="${MVN:-$here/../../mvnw}"
cd "$here"

echo "== examples/spring-boot-chat: build and test against the installed tok artifacts"
"$mvn" -B -ntp "$@" clean verify

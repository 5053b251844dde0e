#!/usr/bin/env bash
# Runs the benchmark suite behind BENCHMARKS.md, from the repository root, after
#   mvn -B -q -DskipTests package
# Environment: OUT (results, default target/bench-results), RUNS (default 3),
# EXAMPLE_JAR (default tok-example/target/tok-example.jar), PARTS (default "chat latency actors capacity fanout drain jmh plot"),
# LATENCY_RATE (the fixed rate of part "latency", default 25000),
# QUEUES (queues for drain, default "memory chronicle"); parts "cluster" and "cluster-latency" (issue 14, need
# redis-server and CLUSTER_LATENCY_RATE) run only when named in PARTS; so does part "scale" (issue 17:
# chat at 1k-18k users at SCALE_RATE, default 20000 msg/s, 20-s steps; capacity to 18k connections; fanout at
# N = 1k and 10k, 100 rounds; results in $OUT/scale; part "plot" then draws scale.png and fanout-scale.png from them
# as well) and part "throughput17" (issue 17: hub against the baseline, 5 runs of 10-s steps).
set -euo pipefail
OUT=${OUT:-target/bench-results}
RUNS=${RUNS:-3}
JAR=tok-benchmarks/target/tok-benchmarks.jar
EXAMPLE_JAR=${EXAMPLE_JAR:-tok-example/target/tok-example.jar}
PARTS=${PARTS:-chat latency actors capacity fanout drain jmh plot}
QUEUES=${QUEUES:-memory chronicle}
mkdir -p "$OUT"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uptime)" | tee -a "$OUT/machine.txt"
java -version 2>&1 | head -1 | tee -a "$OUT/machine.txt"

load() { java -cp "$JAR" dev.tok.benchmarks.load.LoadTool --example-jar "$EXAMPLE_JAR" --runs "$RUNS" --out "$OUT" "$@"; }

for part in $PARTS; do
  case $part in
    jmh)
      java -jar "$JAR" -prof gc -f "$RUNS" -rf csv -rff "$OUT/jmh.csv" 2>&1 | tee "$OUT/jmh.txt" ;;
    chat)
      load --scenario chat --users 1000 --rate-start 30000 --rate-factor 1.1 --half-rate 20000 --warmup-seconds 2 --measure-seconds 5 \
        --targets baseline:tcp,hub:tcp,example:tcp,baseline:ws,example:netty-ws,example:jetty-ws 2>&1 | tee "$OUT/chat.txt" ;;
    latency)
      # p99 at one fixed rate (LATENCY_RATE, default 20000 msg/s: issue 17's), RUNS x 4 samples per target
      R=${LATENCY_RATE:-20000}
      OUT="$OUT/latency" load --scenario chat --users 1000 --rates "$R,$R,$R" --half-rate "$R" \
        --warmup-seconds 2 --measure-seconds 5 --targets baseline:tcp,hub:tcp,hub-pool:tcp,example:tcp 2>&1 | tee "$OUT/latency.txt" ;;
    actors)
      # where the hub's time goes: the same server with the actor declared non-blocking (hub), on the hub's pool,
      # on the I/O thread through the executor, on a ForkJoinPool
      OUT="$OUT/actors" load --scenario chat --users 1000 --rate-start 4000 --rate-factor 1.35 --warmup-seconds 2 --measure-seconds 5 \
        --targets baseline:tcp,hub:tcp,hub-pool:tcp,hub-direct:tcp,hub-fj:tcp 2>&1 | tee "$OUT/actors.txt" ;;
    capacity)
      load --scenario capacity --connections 2000,6000,10000 \
        --targets baseline:tcp,baseline:ws,hub:tcp,example:tcp,example:jetty-ws,example:netty-ws 2>&1 | tee "$OUT/capacity.txt" ;;
    fanout)
      load --scenario fanout --fanout-users 1000 --rounds 20 \
        --targets baseline:tcp,hub:tcp,example:tcp,example:jetty-ws,example:netty-ws 2>&1 | tee "$OUT/fanout.txt" ;;
    drain)
      targets=""
      for q in $QUEUES; do targets="$targets,hub:tcp:$q,example:tcp:$q"; done
      load --scenario drain --messages 5000 --targets "${targets#,}" 2>&1 | tee "$OUT/drain.txt" ;;
    cluster)
      # issue 14 (not in the default PARTS; needs redis-server): the hub on one node and split over two on one Redis
      OUT="$OUT/cluster" load --scenario chat --users 1000 --rate-start 4000 --rate-factor 1.35 --warmup-seconds 2 --measure-seconds 5 \
        --targets hub:tcp,cluster1:tcp,cluster2:tcp 2>&1 | tee "$OUT/cluster.txt" ;;
    cluster-latency)
      # p99 at CLUSTER_LATENCY_RATE (half of cluster2's median saturation, 9700 in BENCHMARKS.md; no default: measure part "cluster" first), 5 x 2 samples
      OUT="$OUT/cluster-latency" load --runs 5 --scenario chat --users 1000 --rates "${CLUSTER_LATENCY_RATE:?set CLUSTER_LATENCY_RATE}" \
        --half-rate "$CLUSTER_LATENCY_RATE" --warmup-seconds 2 --measure-seconds 5 --targets cluster1:tcp,cluster2:tcp \
        2>&1 | tee "$OUT/cluster-latency.txt" ;;
    throughput17)
      # issue 17 item 1: hub against the baseline, saturated chat throughput, 5 runs of 10-s steps
      OUT="$OUT/throughput17" load --runs 5 --scenario chat --users 1000 --rate-start 30000 --rate-factor 1.1 --half-rate 20000 \
        --warmup-seconds 2 --measure-seconds 10 --targets baseline:tcp,hub:tcp 2>&1 | tee "$OUT/throughput17.txt" ;;
    scale)
      # issue 17 item 4: per-message CPU and p99 flat within 20 % from 1k to 18k users; fanout time per message at N = 1k and 10k
      OUT="$OUT/scale" load --scenario chat --users 1000,5000,10000,18000 --rates "${SCALE_RATE:-20000}" --warmup-seconds 2 \
        --measure-seconds 20 --targets baseline:tcp,hub:tcp,example:tcp 2>&1 | tee "$OUT/scale-chat.txt"
      OUT="$OUT/scale" load --scenario capacity --connections 1000,5000,10000,18000 \
        --targets baseline:tcp,hub:tcp,example:tcp 2>&1 | tee "$OUT/scale-capacity.txt"
      OUT="$OUT/scale" load --scenario fanout --fanout-users 1000,10000 --rounds 100 \
        --targets baseline:tcp,hub:tcp,example:tcp 2>&1 | tee "$OUT/scale-fanout.txt" ;;
    plot)
      java -Djava.awt.headless=true -cp "$JAR" dev.tok.benchmarks.plot.PlotTool --in "$OUT" --out docs/benchmarks
      if [ -d "$OUT/scale" ]; then # part scale: only its own charts, so that its capacity.csv does not replace capacity-*.png
        java -Djava.awt.headless=true -cp "$JAR" dev.tok.benchmarks.plot.PlotTool --in "$OUT/scale" --out docs/benchmarks \
          --charts scale,fanout-scale
      fi ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
echo "# done $(date -u +%FT%TZ), $(uptime)" | tee -a "$OUT/machine.txt"

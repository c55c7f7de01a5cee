#!/bin/sh
# The image's entrypoint. V8 fixes the main thread's heap limit when node starts, so the worker's
# share of its memory budget (WORKER_MEMORY_MB, default 1024) is passed as --max-old-space-size
# here, before node runs: workers/cache-budget.ts mainHeapMbFor() is the same rule (3/8 of the
# budget, at least 192 MiB; tests/unit/entrypoint-heap.test.ts keeps the two equal). A limit
# already in NODE_OPTIONS is kept. Other roles (api, migrate, doctor) start unchanged.
set -eu
role="${1:-worker}"
if [ "$role" = worker ]; then
  case "${NODE_OPTIONS:-}" in
    *--max-old-space-size*) ;;
    *)
      budget="${WORKER_MEMORY_MB:-1024}"
      case "$budget" in
        '' | *[!0-9]*) ;; # not a number: the worker's config check names it and stops
        *)
          heap=$(( (budget * 3 + 4) / 8 ))
          [ "$heap" -ge 192 ] || heap=192
          NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$heap"
          export NODE_OPTIONS
          ;;
      esac
      ;;
  esac
fi
exec node bin/leadflow.mjs "$@"
